FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md prefect.yaml ./
COPY newsetl ./newsetl
COPY flows ./flows
COPY transforms ./transforms
RUN pip install --no-cache-dir . && useradd --system newsetl
USER newsetl
ENTRYPOINT []
CMD ["newsetl", "run"]
