# The exact JSON writer of the reference-value scripts (sourced by
# validation/metafor/run_metafor.R and validation/conversions/run_conversions.R).
#
# jsonlite rounds numbers to 15 significant digits; this writer prints every double with
# sprintf("%.17g"), so the Python tests read back the very value R computed and a rerun
# rewrites the fixtures byte for byte. NA is null, +-Inf the strings "Infinity" and
# "-Infinity"; a length-1 vector is a scalar unless wrapped in I() (AsIs), which keeps it
# an array; data frames become objects of column arrays.

num <- function(x) {
  x <- as.double(x)
  out <- sprintf("%.17g", x)
  out[is.na(x)] <- "null"
  out[is.infinite(x)] <- ifelse(x[is.infinite(x)] > 0, '"Infinity"', '"-Infinity"')
  out
}
to_json <- function(x, indent = 0) {
  pad <- strrep("  ", indent + 1)
  if (is.null(x)) return("null")
  if (is.data.frame(x)) x <- lapply(as.list(x), I)
  if (is.list(x)) {
    if (!is.null(names(x))) {
      items <- vapply(names(x), function(n) {
        paste0(pad, '"', n, '": ', to_json(x[[n]], indent + 1))
      }, "")
      return(paste0("{\n", paste(items, collapse = ",\n"), "\n", strrep("  ", indent), "}"))
    }
    items <- vapply(x, to_json, "", indent = indent + 1)
    return(paste0("[\n", pad, paste(items, collapse = paste0(",\n", pad)), "\n",
                  strrep("  ", indent), "]"))
  }
  if (is.factor(x)) x <- as.character(x)
  vals <- if (is.numeric(x)) {
    num(x)
  } else if (is.logical(x)) {
    ifelse(is.na(x), "null", ifelse(x, "true", "false"))
  } else {
    esc <- gsub("\\", "\\\\", as.character(x), fixed = TRUE)
    esc <- gsub('"', '\\"', esc, fixed = TRUE)
    esc <- gsub("\n", "\\n", gsub("\t", "\\t", esc, fixed = TRUE), fixed = TRUE)
    paste0('"', esc, '"')
  }
  if (inherits(x, "AsIs") || length(x) != 1) paste0("[", paste(vals, collapse = ", "), "]") else vals
}
