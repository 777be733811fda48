"""Landing -> bronze: what clerks send, read safely (``landing``), parsed in every shape of contract v1 (``parse``
and its readers), registered in the ledger and written to bronze (``stage``); and how an uploader says a file
landed (``events``)."""
