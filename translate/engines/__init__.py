"""Engines decide *where* batches run; the translator still decides *what* a batch is.

The local engine is ``translate.documents.translate_documents`` in this
process. :mod:`translate.engines.ray_data` runs the same translator on Ray
Data workers, on one machine or a cluster (the ``ray`` extra).
"""
