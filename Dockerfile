# The relgraph app for docker-compose.yml: Streamlit on port 8501, talking to the neo4j service.
FROM python:3.11-slim
WORKDIR /app
# requirements.lock is the runtime lock only (no pytest, playwright or ruff: those are in requirements-dev.lock).
COPY requirements.lock ./
RUN pip install --no-cache-dir -r requirements.lock
COPY . .
RUN pip install --no-cache-dir --no-deps -e .
EXPOSE 8501
# Load the demo data on first start (an empty database), then serve the app.
CMD ["sh", "-c", "relgraph load demo --if-empty && exec streamlit run app.py --server.address=0.0.0.0 --server.port=8501 --server.headless=true --browser.gatherUsageStats=false"]
