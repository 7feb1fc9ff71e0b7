"""Where an index's state lives: local build files, or the Chroma server itself.

Both sources answer the same four questions — which build is live
(:meth:`version`, cheap enough to poll), what the manifest says, the whole
:class:`~.state.IndexState`, and how to publish a new build — so search,
update and the app's :class:`~labstories.rag.live.LiveIndex` do not care which
one they have.

With ``--chroma-url`` the server holds everything a replica needs: vectors
with each passage's text and metadata, and a small meta collection with the
manifest, documents and glossary (chunked texts). A replica's data folder
is only a cache of the keyword index, which it rebuilds from the passages once
per build.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import asdict
from pathlib import Path

from . import state, store, vectors
from .errors import DamagedIndexError, NoIndexError
from .keyword import KeywordIndex
from .records import Document, Element, Passage
from .settings import Settings
from .state import IndexState, Manifest
from .vocabulary import TAG_KINDS


class LocalSource:
    """Manifest and build files in the data folder (vectors may still be on a server)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.data_dir = Path(settings.data_dir)

    def version(self) -> str | None:
        return state.current_version(self.data_dir)

    def manifest(self) -> Manifest | None:
        return state.read_manifest(self.data_dir)

    def load(self) -> IndexState:
        return state.load_state(self.data_dir)

    def passages(self, manifest: Manifest) -> list[Passage]:
        return state.load_passages(self.data_dir, manifest)

    def records(self, manifest: Manifest) -> tuple[dict[str, Document], dict[str, Element]]:
        return state.load_records(self.data_dir, manifest)

    def verify(self, manifest: Manifest) -> None:
        """Raise :class:`DamagedIndexError` when a file of the live build is missing or changed."""
        state.verify(state.build_dir(self.data_dir, manifest.build), manifest.files)

    def vectors_at(self) -> str:
        return str(self.data_dir / "chroma")

    def publish(
        self,
        manifest: Manifest,
        documents: list[Document],
        elements: list[Element],
        passages: list[Passage],
        collection=None,
    ) -> None:
        keyword = KeywordIndex.build([p.keyword_text for p in passages])
        # A copy of the vectors beside the build: search on a read-only data folder (see index/vectors.py).
        matrix = (
            None
            if collection is None
            else vectors.fetch(collection, [store.chroma_id(p.id, manifest.documents[p.doc]) for p in passages])
        )
        manifest.files = state.write_build(
            self.data_dir, manifest.build, documents, elements, passages, keyword, matrix
        )
        state.switch_manifest(self.data_dir, manifest)

    def clean(self, keep: str) -> None:
        state.remove_old_builds(self.data_dir, keep=keep)

    def reset(self) -> None:
        state.remove_everything(self.data_dir)


class ServerSource:
    """Everything in the Chroma server at ``settings.chroma_url``; the data folder is a cache."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.data_dir = Path(settings.data_dir)
        self.client = store.open_client(self.data_dir, settings.chroma_url)

    def version(self) -> str | None:
        try:
            manifest = self.manifest()
        except DamagedIndexError:
            return None
        return manifest.build if manifest else None

    def manifest(self) -> Manifest | None:
        meta = store.meta_collection(self.client)
        text = store.get_document(meta, "manifest") if meta is not None else None
        if text is None:
            return None
        try:
            return Manifest.from_json(text)
        except (ValueError, TypeError) as error:
            raise DamagedIndexError(self._where("manifest"), f"unreadable: {type(error).__name__}") from None

    def load(self) -> IndexState:
        manifest = self.manifest()
        if manifest is None:
            raise NoIndexError(Path(self.settings.data_dir), "missing", server=self.settings.chroma_url)
        state.check_format(manifest, self.settings.chroma_url)
        documents = state.documents_from_json(self._json(manifest.build, "documents"))
        glossary = state.glossary_from_json(self._json(manifest.build, "glossary"))
        passages = self._passages(manifest, documents)
        return IndexState(manifest, documents, glossary, passages, self._keyword(manifest.build, passages))

    def passages(self, manifest: Manifest) -> list[Passage]:
        return self._passages(manifest, state.documents_from_json(self._json(manifest.build, "documents")))

    def records(self, manifest: Manifest) -> tuple[dict[str, Document], dict[str, Element]]:
        return (
            state.documents_from_json(self._json(manifest.build, "documents")),
            state.glossary_from_json(self._json(manifest.build, "glossary")),
        )

    def verify(self, manifest: Manifest) -> None:
        """The server's records are checked as they are read (:meth:`records`); the keyword cache rebuilds itself."""

    def vectors_at(self) -> str:
        return f"the Chroma server at {self.settings.chroma_url}"

    def publish(
        self,
        manifest: Manifest,
        documents: list[Document],
        elements: list[Element],
        passages: list[Passage],
        collection=None,
    ) -> None:
        meta = store.meta_collection(self.client, create=True)
        for key, records in (("documents", documents), ("glossary", elements)):
            text = json.dumps([asdict(r) for r in records], ensure_ascii=False)
            store.put_document(meta, f"{manifest.build}/{key}", manifest.build, text)
            manifest.files[key] = state.sha256_text(text)
        store.put_document(meta, "manifest", manifest.build, manifest.to_json())  # the switch, last

    def clean(self, keep: str) -> None:
        meta = store.meta_collection(self.client)
        if meta is not None:
            store.drop_documents_except(meta, keep, keep=("manifest",))
        cache = self.data_dir / "cache"
        for folder in cache.iterdir() if cache.is_dir() else ():
            if folder.name != keep:
                shutil.rmtree(folder, ignore_errors=True)

    def reset(self) -> None:
        store.delete_collection(self.client, store.META_COLLECTION)
        for collection in self.client.list_collections():
            name = getattr(collection, "name", collection)
            if name.startswith("labstories-"):
                store.delete_collection(self.client, name)
        state.remove_everything(self.data_dir)

    # -- rebuilding the state from the server ------------------------------------------
    def _where(self, key: str) -> str:
        return f"{key} on the Chroma server at {self.settings.chroma_url}"

    def _json(self, build: str, key: str):
        meta = store.meta_collection(self.client)
        text = store.get_document(meta, f"{build}/{key}") if meta is not None else None
        if text is None:
            raise DamagedIndexError(self._where(f"{build}/{key}"), "missing")
        manifest = self.manifest()
        if (
            manifest
            and manifest.build == build
            and key in manifest.files
            and state.sha256_text(text) != manifest.files[key]
        ):
            raise DamagedIndexError(self._where(f"{build}/{key}"), "checksum mismatch")
        try:
            return json.loads(text)
        except ValueError as error:
            raise DamagedIndexError(self._where(f"{build}/{key}"), f"unreadable: {type(error).__name__}") from None

    def _passages(self, manifest: Manifest, documents: dict[str, Document]) -> list[Passage]:
        """The live passages, from the vectors' documents and metadata, in build order."""
        collection = store.get_collection(self.client, manifest.collection, where=self.vectors_at())
        ids, texts, metadatas = store.stored_records(collection)
        order = {doc_id: number for number, doc_id in enumerate(documents)}
        passages = []
        for chroma_id, text, meta in zip(ids, texts, metadatas):
            passage_id, _, digest = chroma_id.rpartition("~")
            document = documents.get(meta.get("doc", ""))
            if document is None or manifest.documents.get(document.id) != digest:
                continue  # a vector of an older or newer build, not yet cleared
            passages.append(_passage(passage_id, text, meta, document))
        sections = {d.id: {sec.start: n for n, sec in enumerate(d.sections)} for d in documents.values()}
        passages.sort(key=lambda p: (order[p.doc], sections[p.doc].get(p.section_start, 0), p.window))
        return passages

    def _keyword(self, build: str, passages: list[Passage]) -> KeywordIndex:
        """The keyword index for ``build``: from the local cache, else built and cached."""
        folder = self.data_dir / "cache" / build / "keyword"
        sums = folder.parent / "keyword.sha256.json"
        try:
            if json.loads(sums.read_text("utf-8")) == state.checksums(folder):
                index = KeywordIndex.load(folder)
                if index.size == len(passages):
                    return index
        except Exception:  # no cache yet, or a damaged one: rebuild it
            pass
        index = KeywordIndex.build([p.keyword_text for p in passages])
        shutil.rmtree(folder.parent, ignore_errors=True)
        folder.mkdir(parents=True)
        index.save(folder)
        sums.write_text(json.dumps(state.checksums(folder)), "utf-8")
        return index


def _passage(passage_id: str, text: str, meta: dict, document: Document) -> Passage:
    heading = next((s.heading for s in document.sections if s.start == meta["section"]), "")
    context = meta.get("context", "")
    return Passage(
        id=passage_id,
        doc=document.id,
        section_start=meta["section"],
        start=meta["start"],
        text=text,
        embed_text=f"{context}\n{text}" if context else text,
        keyword_text=f"{heading}\n{text}",
        tags={kind: list(meta.get(kind, [])) for kind in TAG_KINDS},
        window=meta["window"],
        words_before=int(meta.get("words_before", 0)),
        span_words=int(meta.get("span_words", 0)),
        span_end=meta.get("span_end"),
    )


def open_source(settings: Settings) -> LocalSource | ServerSource:
    return ServerSource(settings) if settings.chroma_url else LocalSource(settings)
