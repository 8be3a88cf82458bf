"""``python -m tutor prepare``: every image the course needs, present on the engine before class.

Textual-free, like the engine layer and the course model: the command line
prints what it reports and the app shows it with a progress bar.
"""
