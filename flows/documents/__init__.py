"""The one-stop forms as documents (Circular 03/2025/TT-VPCP, Appendix I), in HTML and PDF.

`forms` says which form applies to a dossier and builds each form's data; `render` turns that
data into a printable page or a PDF (WeasyPrint, offline fonts); `service` reads what a form
needs from the database.
"""
