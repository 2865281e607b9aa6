"""Handgrid's pure core: problems, codes, the NumPy reference, parsing and grading.

Nothing in this package imports Flask. The web layer only translates HTTP into
calls on these modules, so every rule about what a problem is and how an
answer is marked can be tested (and reused by worksheets or the API) without a
request in sight.
"""
