"""What people read: the monthly hub report (``hub_report``), the clerk's feedback and the engineer's GX page
(``feedback``), the submissions view of the Airflow UI (``submissions``, its pages by id in ``submission_pages``),
the terminal summary of a run (``summary``), and their Jinja templates."""
