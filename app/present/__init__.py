"""How problems and worksheets are drawn, as data: Flask-free like the core, but
about pages rather than problems.

* `layout`: the blocks of the staircase and of the equations, and what each cell
  shows; the templates walk them with one macro per matrix.
* `printing`: the printed sizes in millimetres (static/worksheet.css follows
  them; a test compares the two), how many problems fit a page, and the pages.
* `qr`: the QR code of a problem's link.

The core (`app.core`) knows nothing of these; they read the core, and the web
layer (`app/*.py`) reads both.
"""
