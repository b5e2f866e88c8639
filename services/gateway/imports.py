"""REST door of the importer/exporter (ImportsApiService, protos/aimee/gateway/v1/imports.proto).

Transport only: the file arrives in the JSON body (`content` base64 or `text`), the one importer
(services.dataio.importer, synchronous, run in a worker thread) does the work, aftercare invalidates the
caches and runs alert detection, and the report dict becomes an ImportReport. Know-how documents go to
the knowledge engine's AddDocument (it owns Chroma). Bodies over IMPORT_MAX_BYTES are refused with a
message that points to the CLI; Envoy's own body limit answers 413 before that for larger uploads.
"""
from __future__ import annotations

import asyncio
import io

from google.api import httpbody_pb2

from aimee.gateway.v1 import imports_pb2, imports_pb2_grpc
from aimee.knowledge.v1 import knowledge_pb2
from services.common.errors import InvalidArgument
from services.dataio import jobs
from services.dataio.aftercare import after_import
from services.dataio.config import Settings as DataioSettings
from services.dataio.export import export_bytes
from services.dataio.importer import ImportOptions, run_import
from services.dataio.kinds import KNOWHOW
from services.dataio.knowhow import import_documents
from services.dataio.uploads import UploadStore
from services.gateway.config import Settings
from services.gateway.engines import invoke

SERVICE_NAME = imports_pb2.DESCRIPTOR.services_by_name["ImportsApiService"].full_name
KNOWLEDGE_ADD_SECONDS = 590.0


def report_message(report: dict) -> imports_pb2.ImportReport:
    msg = imports_pb2.ImportReport(
        import_id=report.get("import_id", ""), kind=report.get("kind", ""), status=report.get("status", ""),
        message=report.get("message", ""), dry_run=bool(report.get("dry_run")), rows=report.get("rows", 0),
        inserted=report.get("inserted", 0), updated=report.get("updated", 0), unchanged=report.get("unchanged", 0),
        deleted=report.get("deleted", 0), bad_row_count=report.get("bad_row_count", 0),
        encoding=report.get("encoding", ""), format=report.get("format", ""), sites=report.get("sites", []),
        date_from=report.get("date_from", ""), date_to=report.get("date_to", ""),
        ignored_columns=report.get("ignored_columns", []), messages=report.get("messages", []),
        alerts_created=report.get("alerts_created", 0), file_name=report.get("file_name", ""),
        duplicate_rows=report.get("duplicate_rows", 0))
    for bad in report.get("bad_rows", []):
        msg.bad_rows.add(line=bad["line"], column=bad["column"], value=bad["value"], message=bad["message"])
    for label, codes in (report.get("unknown_codes") or {}).items():
        msg.unknown_codes.add(label=label, codes=codes)
    return msg


class ImportsApiServicer(imports_pb2_grpc.ImportsApiServiceServicer):
    def __init__(self, settings: Settings, pool, engines, dataio: DataioSettings | None = None):
        self.settings, self.pool, self.engines = settings, pool, engines
        self.limits = dataio or DataioSettings.from_env()
        self.uploads = UploadStore(self.limits.upload_dir, self.limits.upload_max_bytes)

    def _payload(self, request) -> bytes:
        data = request.content or request.text.encode("utf-8")
        if not data and not (request.upload_id and request.final):  # a chunked upload may end with no bytes
            raise InvalidArgument("ファイルの中身がありません。content（base64）か text にファイルを入れてください")
        if len(data) > self.limits.import_max_bytes:
            raise InvalidArgument(f"ファイルが大きすぎます（{len(data):,} バイト、上限 {self.limits.import_max_bytes:,} バイト）。"
                                  "大きなファイルは分割するか、CLI（make import KIND=... FILE=...）で取り込んでください")
        return data

    async def CreateImport(self, request, context):
        data = self._payload(request)
        if request.upload_id:
            return await self._chunk(request, data)
        if request.kind == KNOWHOW:
            report = await import_documents([(request.file_name or "document.txt", data)], self._add_document,
                                            dry_run=request.dry_run)
            return report_message(report)
        return await self._import(request, io.BytesIO(data))

    async def _chunk(self, request, data: bytes):
        """One piece of a chunked upload; the final piece imports the assembled file."""
        if request.kind == KNOWHOW:
            raise InvalidArgument("ノウハウ文書は分割アップロードできません（1ファイルずつ送ってください）")
        received = await asyncio.to_thread(self.uploads.append, request.upload_id, request.offset, data)
        if not request.final:
            return imports_pb2.ImportReport(status="receiving", kind=request.kind, file_name=request.file_name,
                                            received_bytes=received,
                                            message=f"{received:,} バイト受信しました。続きを送ってください")
        try:
            with self.uploads.open(request.upload_id) as fh:
                reply = await self._import(request, fh)
        finally:
            self.uploads.discard(request.upload_id)
        reply.received_bytes = received
        return reply

    async def _import(self, request, fh):
        options = ImportOptions(kind=request.kind, dry_run=request.dry_run, skip_bad_rows=request.skip_bad_rows,
                                replace=request.replace, file_name=request.file_name)
        report = await asyncio.to_thread(run_import, None, fh, options, self.settings.database_url)
        if report["changes"] is not None:
            done = await after_import(report["changes"], self.settings.database_url, self.settings.redis_url,
                                      self.settings.cache_prefix)
            report["alerts_created"] = done["alerts_created"]
        return report_message(report)

    async def _add_document(self, doc) -> str:
        req = knowledge_pb2.AddDocumentRequest(title=doc.title, text=doc.text, category=doc.category,
                                               location=doc.location, source=doc.source)
        # Through the one client layer: request id and internal token attached, failures translated once.
        result = await invoke("knowledge", self.engines.knowledge.AddDocument, req, KNOWLEDGE_ADD_SECONDS)
        return "unchanged" if result.unchanged else "replaced" if result.replaced else "added"

    async def GetImport(self, request, context):
        report = await asyncio.to_thread(jobs.load, None, request.import_id, self.settings.database_url)
        return report_message(report)

    async def ExportTable(self, request, context):
        content, media, _name = await export_bytes(request.dataset, request.format or "xlsx", self.pool,
                                                   location=request.location, date_from=request.date_from,
                                                   date_to=request.date_to, status=request.status)
        return httpbody_pb2.HttpBody(content_type=media, data=content)
