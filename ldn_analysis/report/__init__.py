"""Reports: the parameter registry, the papermill + nbconvert runner and the run card."""
