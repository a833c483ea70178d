# The relgraph app for docker-compose.yml: Streamlit on port 8501, talking to the neo4j service.
FROM python:3.11-slim
WORKDIR /app
# requirements.lock is the runtime lock only (no pytest, playwright or ruff: those are in requirements-dev.lock).
COPY requirements.lock ./
RUN pip install --no-cache-dir -r requirements.lock
# The app's code and its own .streamlit/config.toml, named one by one so that no secrets.toml, roles
# file or virtual environment of the build folder ends up in the image (compose mounts secrets).
COPY pyproject.toml README.md app.py ./
COPY .streamlit/config.toml .streamlit/
COPY cli cli
COPY graph graph
COPY loaders loaders
COPY queries queries
COPY ui ui
RUN pip install --no-cache-dir --no-deps -e . && python -m compileall -q app.py cli graph loaders queries ui
EXPOSE 8501
# Load the demo data on first start (an empty database), then serve the app. It listens on every
# interface of the container; $RELGRAPH_PUBLISHED_ON says where the host publishes it, and anything
# but loopback needs sign-in.
CMD ["sh", "-c", "relgraph load demo --if-empty && exec relgraph app --address 0.0.0.0 --port 8501"]
