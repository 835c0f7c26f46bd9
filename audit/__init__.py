"""The audit trail: who created, changed or deleted what, when, with the row before and after.

Other apps cover a model with ``audit.registry.register("app.Model", ...)`` in their
``AppConfig.ready()``; models with a scoping queryset are covered without asking (see registry.py).
"""
