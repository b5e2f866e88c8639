"""gRPC KnowledgeService: proto ↔ domain only. Domain errors become statuses in the shared interceptor."""
from __future__ import annotations

from aimee.knowledge.v1 import knowledge_pb2, knowledge_pb2_grpc

from services.knowledge.models import ContextRow, Hit
from services.knowledge.service import KnowledgeService


def _hit(h: Hit) -> knowledge_pb2.KnowledgeHit:
    return knowledge_pb2.KnowledgeHit(
        doc_id=h.doc_id, chunk_id=h.chunk_id, text=h.text, score=h.score, vector_score=h.vector_score,
        keyword_score=h.keyword_score, title=h.title, category=h.category, location=h.location, source=h.source)


def _context(c: ContextRow) -> knowledge_pb2.ContextEntry:
    return knowledge_pb2.ContextEntry(
        context_id=c.context_id, context_type=c.context_type, context_key=c.context_key,
        context_value=c.context_value, relevance_score=c.relevance_score, use_count=c.use_count)


class KnowledgeServicer(knowledge_pb2_grpc.KnowledgeServiceServicer):
    def __init__(self, service: KnowledgeService):
        self.service = service

    async def AddDocument(self, request, context):
        r = await self.service.add_document(request.title, request.text, request.category, request.location,
                                            request.source)
        return knowledge_pb2.AddDocumentResponse(doc_id=r.doc_id, chunk_count=r.chunk_count, replaced=r.replaced,
                                                 unchanged=r.unchanged)

    async def Search(self, request, context):
        r = await self.service.search(request.q, request.location, request.category, request.top_k,
                                      request.include_context)
        return knowledge_pb2.SearchResponse(hits=[_hit(h) for h in r.hits], context=[_context(c) for c in r.context],
                                            threshold=self.service.threshold)

    async def DeleteDocument(self, request, context):
        r = await self.service.delete_document(request.doc_id)
        return knowledge_pb2.DeleteDocumentResponse(doc_id=r.doc_id, deleted_chunks=r.deleted_chunks,
                                                    deleted_context_rows=r.deleted_context_rows)

    async def AddContext(self, request, context):
        context_id = await self.service.add_context(request.context_type, request.context_key,
                                                    request.context_value, request.relevance_score, request.location)
        return knowledge_pb2.AddContextResponse(context_id=context_id)

    async def MarkContextUsed(self, request, context):
        updated = await self.service.mark_context_used(list(request.context_ids))
        return knowledge_pb2.MarkContextUsedResponse(updated=updated)
