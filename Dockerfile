# tutorbot: the bot image (console, Slack or Discord adapter chosen by the command).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 \
    TUTORBOT_DATA_DIR=/data

WORKDIR /app
# CPU-only torch first, so nothing pulls a CUDA build
RUN pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu
COPY pyproject.toml README.md alembic.ini ./
COPY bot ./bot
COPY engine ./engine
COPY migrations ./migrations
RUN pip install -e .

RUN useradd --create-home tutor && mkdir -p /data && chown tutor /data
USER tutor
VOLUME ["/data"]
ENTRYPOINT ["tutorbot"]
CMD ["chat"]
