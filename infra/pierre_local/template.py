"""Read ``template.yaml`` so that the local stack and the cloud share one source of truth.

Only what the local stack needs is extracted: DynamoDB tables, SQS queues (FIFO or not), S3
buckets (versioned or not),
functions (handler, code folder, environment, HTTP routes, SQS triggers), parameters, and the
CloudFront paths served by a streamed Function URL (the web app under the Lambda Web Adapter).
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REGION = "eu-west-3"
ACCOUNT_ID = "123456789012"


class TemplateError(ValueError):
    """The template is malformed or uses something the local stack cannot emulate."""


class _CfnLoader(yaml.SafeLoader):
    """SafeLoader that understands CloudFormation short-form tags (``!Ref``, ``!Sub``…)."""


def _construct_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    if suffix == "Ref":
        return {"Ref": value}
    if suffix == "GetAtt" and isinstance(value, str):
        return {"Fn::GetAtt": value.split(".", 1)}
    return {f"Fn::{suffix}": value}


_CfnLoader.add_multi_constructor("!", _construct_tag)


def load_template(path: Path) -> dict[str, Any]:
    try:
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=_CfnLoader)  # noqa: S506
    except (OSError, yaml.YAMLError) as error:
        raise TemplateError(f"cannot read {path}: {error}") from error
    if not isinstance(document, dict) or not isinstance(document.get("Resources"), dict):
        raise TemplateError(f"{path} has no Resources section")
    return document


@dataclass(frozen=True)
class HttpRoute:
    method: str  # upper case, or ANY
    path: str  # as declared, e.g. /sms/{secret} or /api/{proxy+}
    function: str  # logical id

    @property
    def route_key(self) -> str:
        return f"{self.method} {self.path}"

    def match(self, method: str, path: str) -> dict[str, str] | None:
        """Path parameters when this route serves ``method path``, else None."""
        if self.method not in ("ANY", method.upper()):
            return None
        pattern = "^"
        names: list[str] = []
        for part in re.split(r"(\{[^}]+\})", self.path):
            if part.startswith("{") and part.endswith("+}"):
                names.append(part[1:-2])
                pattern += "(.+)"
            elif part.startswith("{"):
                names.append(part[1:-1])
                pattern += "([^/]+)"
            else:
                pattern += re.escape(part)
        found = re.match(pattern + "$", path)
        if found is None:
            return None
        return dict(zip(names, found.groups(), strict=True))

    @property
    def specificity(self) -> tuple[int, int, int]:
        """HTTP API prefers exact routes, then fewer/greedy-less parameters, then methods."""
        greedy = "+}" in self.path
        return (int(greedy), self.path.count("{"), int(self.method == "ANY"))


@dataclass(frozen=True)
class FunctionSpec:
    logical_id: str
    code_dir: Path
    module: str
    attribute: str
    environment: dict[str, Any]
    http_routes: tuple[HttpRoute, ...] = ()
    sqs_queues: tuple[str, ...] = ()  # logical ids of queues that trigger this function
    # records per invocation, per queue: the event's BatchSize (AWS's default 10; a receive
    # gets at most 10, so larger sizes are served 10 at a time)
    sqs_batch_sizes: dict[str, int] = field(default_factory=dict)
    timeout_s: int = 3
    memory_mb: int = 128
    # run under the Lambda Web Adapter (Handler run.sh): the ASGI app ``module:attribute``
    # it serves, whose Function URL streams (InvokeMode RESPONSE_STREAM)
    web_adapter: bool = False


@dataclass(frozen=True)
class StreamedPath:
    """A CloudFront behaviour whose origin is a function's streamed Function URL."""

    pattern: str  # CloudFront's PathPattern: * any characters, ? one
    function: str  # logical id

    def matches(self, path: str) -> bool:
        return fnmatch.fnmatchcase(path, self.pattern.replace("[", "[[]"))


@dataclass(frozen=True)
class TableSpec:
    logical_id: str
    properties: dict[str, Any]


@dataclass(frozen=True)
class QueueSpec:
    logical_id: str
    properties: dict[str, Any]

    @property
    def fifo(self) -> bool:
        return self.properties.get("FifoQueue") is True


@dataclass(frozen=True)
class BucketSpec:
    logical_id: str
    properties: dict[str, Any]

    @property
    def versioned(self) -> bool:
        versioning = self.properties.get("VersioningConfiguration") or {}
        return versioning.get("Status") == "Enabled"


@dataclass
class StackSpec:
    root: Path
    parameters: dict[str, str] = field(default_factory=dict)
    functions: dict[str, FunctionSpec] = field(default_factory=dict)
    tables: dict[str, TableSpec] = field(default_factory=dict)
    queues: dict[str, QueueSpec] = field(default_factory=dict)
    buckets: dict[str, BucketSpec] = field(default_factory=dict)
    # in the distribution's order, checked before the HTTP API routes as CloudFront does
    streamed_paths: list[StreamedPath] = field(default_factory=list)

    def routes(self) -> list[HttpRoute]:
        every = [route for spec in self.functions.values() for route in spec.http_routes]
        return sorted(every, key=lambda route: route.specificity)


def _of_type(resources: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {
        name: resource.get("Properties") or {}
        for name, resource in resources.items()
        if isinstance(resource, dict) and resource.get("Type") == kind
    }


def _sqs_trigger(event: dict[str, Any]) -> str:
    queue = event.get("Properties", {}).get("Queue")
    if isinstance(queue, dict) and "Fn::GetAtt" in queue:
        return str(queue["Fn::GetAtt"][0])
    raise TemplateError(f"SQS event source must use !GetAtt <Queue>.Arn, got {queue!r}")


def _function(
    root: Path, name: str, props: dict[str, Any], globals_: dict[str, Any]
) -> FunctionSpec:
    environment = dict(globals_.get("Environment", {}).get("Variables", {}))
    environment.update(props.get("Environment", {}).get("Variables", {}))
    module, attribute, web_adapter = _entry_point(name, props, environment)
    routes: list[HttpRoute] = []
    queues: list[str] = []
    batch_sizes: dict[str, int] = {}
    for event in (props.get("Events") or {}).values():
        if event.get("Type") == "HttpApi":
            event_props = event.get("Properties", {})
            routes.append(
                HttpRoute(
                    method=str(event_props.get("Method", "ANY")).upper(),
                    path=str(event_props["Path"]),
                    function=name,
                )
            )
        elif event.get("Type") == "SQS":
            queues.append(_sqs_trigger(event))
            batch_size = int(event.get("Properties", {}).get("BatchSize", 10))
            batch_sizes[queues[-1]] = min(batch_size, 10)
    return FunctionSpec(
        logical_id=name,
        code_dir=root / str(props.get("CodeUri", "")),
        module=module,
        attribute=attribute,
        environment=environment,
        http_routes=tuple(routes),
        sqs_queues=tuple(queues),
        sqs_batch_sizes=batch_sizes,
        timeout_s=int(props.get("Timeout", globals_.get("Timeout", 3))),
        memory_mb=int(props.get("MemorySize", globals_.get("MemorySize", 128))),
        web_adapter=web_adapter,
    )


def _entry_point(
    name: str, props: dict[str, Any], environment: dict[str, Any]
) -> tuple[str, str, bool]:
    """``module``, ``attribute`` and whether the Lambda Web Adapter runs it: a Python handler
    ``module.attribute``, or ``run.sh`` serving the ASGI app ``PIERRE_ASGI_APP``."""
    handler = str(props.get("Handler", ""))
    if handler == "run.sh":
        app = str(environment.get("PIERRE_ASGI_APP", ""))
        streams = (props.get("FunctionUrlConfig") or {}).get("InvokeMode") == "RESPONSE_STREAM"
        if ":" not in app or not streams:
            raise TemplateError(
                f"{name}: run.sh needs PIERRE_ASGI_APP=module:attribute and a Function URL "
                "with InvokeMode RESPONSE_STREAM"
            )
        module, attribute = app.split(":", 1)
        return module, attribute, True
    if "." not in handler:
        raise TemplateError(f"{name}: Handler must be module.attribute, got {handler!r}")
    module, attribute = handler.rsplit(".", 1)
    return module, attribute, False


def _streamed_paths(
    resources: dict[str, Any], functions: dict[str, FunctionSpec]
) -> list[StreamedPath]:
    """The distributions' behaviours whose origin is the Function URL of a web-adapter
    function (its DomainName refers to SAM's ``<Function>Url``)."""
    streamed: list[StreamedPath] = []
    adapted = {f"{name}Url": name for name, spec in functions.items() if spec.web_adapter}
    for props in _of_type(resources, "AWS::CloudFront::Distribution").values():
        config = props.get("DistributionConfig") or {}
        origins = _function_url_origins(config.get("Origins") or [], adapted)
        for behaviour in config.get("CacheBehaviors") or []:
            target = origins.get(str(behaviour.get("TargetOriginId")))
            if target:
                streamed.append(StreamedPath(str(behaviour["PathPattern"]), target))
    return streamed


def _function_url_origins(origins: list[dict[str, Any]], urls: dict[str, str]) -> dict[str, str]:
    """Origin id → function, for the origins whose domain is taken from a ``urls`` resource
    (``!Select [2, !Split ["/", !GetAtt <Function>Url.FunctionUrl]]``)."""
    found: dict[str, str] = {}
    for origin in origins:
        domain = repr(origin.get("DomainName"))
        for url, function in urls.items():
            if f"'{url}'" in domain:
                found[str(origin.get("Id"))] = function
    return found


def read_stack(template_path: Path) -> StackSpec:
    document = load_template(template_path)
    resources: dict[str, Any] = document["Resources"]
    stack = StackSpec(root=template_path.parent)
    for name, parameter in (document.get("Parameters") or {}).items():
        if "Default" in parameter:
            stack.parameters[name] = str(parameter["Default"])
    globals_ = (document.get("Globals") or {}).get("Function") or {}
    for name, props in _of_type(resources, "AWS::Serverless::Function").items():
        stack.functions[name] = _function(stack.root, name, props, globals_)
    stack.streamed_paths = _streamed_paths(resources, stack.functions)
    for name, props in _of_type(resources, "AWS::DynamoDB::Table").items():
        stack.tables[name] = TableSpec(name, props)
    for name, props in _of_type(resources, "AWS::SQS::Queue").items():
        stack.queues[name] = QueueSpec(name, props)
    for name, props in _of_type(resources, "AWS::S3::Bucket").items():
        stack.buckets[name] = BucketSpec(name, props)
    return stack
