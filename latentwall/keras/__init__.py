"""Training-only Keras code: model builders by family, Keras load/save/export, and layer summaries.

Importing this package imports no Keras: builders and io do, summary reads a .keras file's config without it
(the denoising page shows those summaries). The serving process imports only summary from here.
"""
