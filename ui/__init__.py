"""The tarjama bilingual reader: a Gradio app over the ``translate`` library.

``ui`` imports ``translate``; ``translate`` never imports ``ui``. The
``tarjama reader`` command is registered through the ``tarjama.commands``
entry point (see :mod:`ui.command`).
"""
