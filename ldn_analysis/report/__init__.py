"""Reports: parameter registry, plan, execution cache, forked executor, pages, index, run card."""
