# The deployable image: the wheel, installed, and nothing else of the repository.
# Not built in CI (no registry is reachable there); docs/deploy.md says how each route runs it.
# Build: docker build -t registry.example.com/spotify-assets:1.0 .

FROM python:3.12-slim AS wheel
WORKDIR /src
COPY pyproject.toml setup.py setup.cfg README.md ./
COPY spotify_assets ./spotify_assets
COPY sql ./sql
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /dist .

FROM python:3.12-slim
# psycopg's binary wheel and ADBC carry their own libpq; no compiler or system packages needed.
COPY --from=wheel /dist /tmp/dist
RUN pip install --no-cache-dir "$(ls /tmp/dist/spotify_assets-*.whl)[celery]" && rm -rf /tmp/dist
RUN useradd --create-home --uid 1000 spotify
USER spotify
ENV DAGSTER_HOME=/home/spotify/dagster_home \
    SPOTIFY_ASSETS_HOME=/home/spotify/.spotify_assets
RUN mkdir -p "$DAGSTER_HOME"
WORKDIR /home/spotify
# The code location server; the webserver, daemon, run workers and Celery workers use the same
# image with another command (docs/deploy.md).
EXPOSE 3030
CMD ["dagster", "code-server", "start", "-h", "0.0.0.0", "-p", "3030", "-m", "spotify_assets.definitions"]
