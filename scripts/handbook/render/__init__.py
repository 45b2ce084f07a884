"""Rendering: data and formulas into pages. Placeholders, citations, the glossary, reference tables, widgets,
figures and the HTML the theme gets (MathML, the print edition, page-speed rewrites)."""
