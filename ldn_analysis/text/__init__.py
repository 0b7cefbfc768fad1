"""Numbers in, words out: formatting, plurals and the generated summaries of every page."""
