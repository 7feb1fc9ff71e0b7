"""In-process A/B on one opened index: the original candidates() (per-passage mask, full-array BM25) against the
shipped one. Chroma's HNSW answers vary between processes, so only an in-process comparison isolates a code change.

    python benchmarks/ab_candidates.py DATA_DIR [QUESTIONS]
"""
import numpy as np, sys
from pathlib import Path
from labstories.index import Settings
from labstories.index.keyword import tokenize
from labstories.rag import StoryIndex, read_questions, Filters
from labstories.rag.search import Candidates
from labstories.rag.fusion import best_per_group
from labstories.rag.filters import passage_mask
from labstories.rag.snippets import query_stems
from labstories.rag.translate import to_english

class Old(StoryIndex):
    def candidates(self, query, filters=None):
        query = query.strip(); filters = self.resolve(filters)
        english = to_english(query).text
        mask = passage_mask(filters, self.state.passages, self.state.stories)
        if not mask.any():
            return Candidates({}, {}, {}, query_stems(english))
        dense = best_per_group(self._dense(english, filters, int(mask.sum())), self._section_of)
        scores = np.where(mask, self.state.keyword.scores(tokenize(english)), 0.0)
        n = min(300, int((scores > 0).sum()))
        kw = []
        if n:
            top = np.argpartition(-scores, n - 1)[:n]; top = top[np.argsort(-scores[top], kind="stable")]
            kw = [(int(i), float(scores[i])) for i in top]
        keyword = best_per_group(kw, self._section_of)
        shown = {k: p for k, p, _ in keyword}; shown.update({k: p for k, p, _ in dense})
        return Candidates({k: s for k, _, s in dense}, {k: s for k, _, s in keyword}, shown, query_stems(english))

new = StoryIndex.open(Settings(data_dir=Path(sys.argv[1])))
old = Old(new.settings, new.state, new.collection, new.embedder, new.config)
qs = read_questions(sys.argv[2] if len(sys.argv) > 2 else str(Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev.jsonl"))
same = 0
for q in qs:
    f = Filters.from_dict(q.filters)
    a = [(h.section, h.start, h.score) for h in old.search(q.question, f, 20)]
    b = [(h.section, h.start, h.score) for h in new.search(q.question, f, 20)]
    same += a == b
    if a != b:
        print(q.id, "differs:", [(i, x, y) for i, (x, y) in enumerate(zip(a, b)) if x != y][:3])
print(f"{same}/{len(qs)} questions: identical top-20 (section, start, score)")
