# The production image: the official Airflow 3.3.2 image with this project's pinned lock baked in, so the
# containers run exactly what `make test` ran. The code (dags/, include/, plugins/) is mounted by docker-compose.
FROM apache/airflow:3.3.2-python3.11
COPY requirements.txt /opt/kopdes/requirements.txt
RUN pip install --no-cache-dir -r /opt/kopdes/requirements.txt
ENV PYTHONPATH=/opt/kopdes
WORKDIR /opt/kopdes
