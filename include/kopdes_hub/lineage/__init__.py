"""OpenLineage for the hub: every stage's real inputs and outputs as OpenLineage datasets (``datasets`` names them,
``stages`` says which a task read and wrote), and ``trace``, which answers "which files made this number" from the
lineage columns and the ledger, with or without an OpenLineage backend.

Nothing here knows Airflow: ``adapter.lineage`` hands a task's lineage to the provider's listener.
"""
