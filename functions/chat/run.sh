#!/bin/bash
# ChatStreamFunction's handler: the Lambda Web Adapter (AWS_LAMBDA_EXEC_WRAPPER=/opt/bootstrap)
# runs this at init, waits until the app answers AWS_LWA_READINESS_CHECK_PATH, then forwards
# each invocation to it on AWS_LWA_PORT. The layers' packages are in /opt/python.
export PYTHONPATH="${LAMBDA_TASK_ROOT}:/opt/python:${LAMBDA_RUNTIME_DIR}:${PYTHONPATH:-}"
exec python -m uvicorn --host 127.0.0.1 --port "${AWS_LWA_PORT:-8080}" --no-access-log \
    "${PIERRE_ASGI_APP:-chat_stream:app}"
