// Know-how: hybrid search, add a document, delete one, and what the last answers cited.
import { useEffect, useState } from "react";
import { call } from "../api/client";
import type { Knowledge_SearchResponse } from "../api/gen/types";
import { Empty, ErrorBox, Loading, fmt } from "../components/ui";
import { loadCited } from "../cited";
import { SITES } from "../sites";

// The knowledge engine accepts these categories only (it answers INVALID_ARGUMENT with this list).
const CATEGORIES = ["配置ルール", "現場ノウハウ", "成功事例", "失敗パターン", "従業員特性"];

export default function Knowledge() {
  const [q, setQ] = useState("残業");
  const [loc, setLoc] = useState("");
  const [search, setSearch] = useState<{ loading?: boolean; data?: Knowledge_SearchResponse; error?: unknown }>({});
  const [msg, setMsg] = useState<string>();
  const [doc, setDoc] = useState({ title: "", text: "", category: CATEGORIES[1], location: "" });
  const [addState, setAddState] = useState<{ saving?: boolean; error?: unknown }>({});
  const cited = loadCited();
  useEffect(() => { void runSearch(); }, []);  // eslint-disable-line react-hooks/exhaustive-deps

  async function runSearch(query = q) {
    setSearch({ loading: true });
    try { setSearch({ data: await call("KnowledgeApiService.SearchKnowledge", { q: query, location: loc, top_k: 10 }) }); }
    catch (error) { setSearch({ error }); }
  }
  async function add() {
    setAddState({ saving: true });
    try {
      const r = await call("KnowledgeApiService.AddKnowledgeDocument", { document: { ...doc, source: "console" } });
      setMsg(`登録しました: ${r.doc_id}（${r.chunk_count}チャンク${r.replaced ? "、置き換え" : ""}）`);
      setDoc({ title: "", text: "", category: CATEGORIES[1], location: "" });
      setAddState({});
    } catch (error) { setAddState({ error }); }
  }
  async function remove(docId: string) {
    if (!window.confirm(`ノウハウ「${docId}」を削除しますか？`)) return;
    try {
      const r = await call("KnowledgeApiService.DeleteKnowledgeDocument", { doc_id: docId });
      setMsg(`削除しました: ${r.doc_id}（${r.deleted_chunks}チャンク）`);
      void runSearch();
    } catch (error) { setSearch((s) => ({ ...s, error })); }
  }
  return (
    <section className="pane knowledge">
      <div className="pane-head"><h2>ノウハウ</h2></div>
      {msg && <div className="state ok" data-testid="knowledge-msg">{msg}</div>}
      <div className="split">
        <div>
          <form className="filters" onSubmit={(e) => { e.preventDefault(); void runSearch(); }}>
            <label className="field">キーワード<input value={q} onChange={(e) => setQ(e.target.value)} aria-label="キーワード" /></label>
            <label className="field">拠点<select value={loc} onChange={(e) => setLoc(e.target.value)} aria-label="拠点">
              <option value="">すべて</option>{SITES.map((s) => <option key={s}>{s}</option>)}</select></label>
            <button type="submit">検索</button>
          </form>
          {search.loading && <Loading what="検索結果" />}
          {search.error ? <ErrorBox error={search.error} /> : null}
          {search.data && (search.data.hits.length === 0 ? <Empty>該当するノウハウはありません（しきい値 {fmt(search.data.threshold, 2)}）</Empty> : (
            <ul className="items" data-testid="knowledge-hits">{search.data.hits.map((h) => (
              <li key={h.chunk_id} className="card">
                <strong>{h.title || h.doc_id}</strong> <span className="sub">{h.category}{h.location ? `・${h.location}` : ""}・スコア {fmt(h.score, 2)}</span>
                <p>{h.text}</p>
                <button className="secondary" onClick={() => remove(h.doc_id)}>削除</button>
              </li>))}</ul>))}
        </div>
        <div>
          <form className="card" onSubmit={(e) => { e.preventDefault(); void add(); }} data-testid="knowledge-add">
            <h3>ノウハウを追加</h3>
            <label className="field">タイトル<input required value={doc.title} onChange={(e) => setDoc({ ...doc, title: e.target.value })} aria-label="タイトル" /></label>
            <label className="field">本文<textarea required rows={5} value={doc.text} onChange={(e) => setDoc({ ...doc, text: e.target.value })} aria-label="本文" /></label>
            <label className="field">カテゴリ<select value={doc.category} onChange={(e) => setDoc({ ...doc, category: e.target.value })} aria-label="カテゴリ">
              {CATEGORIES.map((c) => <option key={c}>{c}</option>)}</select></label>
            <label className="field">拠点<select value={doc.location} onChange={(e) => setDoc({ ...doc, location: e.target.value })} aria-label="対象拠点">
              <option value="">全拠点</option>{SITES.map((s) => <option key={s}>{s}</option>)}</select></label>
            <button type="submit" disabled={addState.saving}>{addState.saving ? "登録中…" : "登録"}</button>
            {addState.error ? <ErrorBox error={addState.error} /> : null}
          </form>
          <div className="card" data-testid="cited">
            <h3>最近の回答が参照したノウハウ</h3>
            {cited.length === 0 ? <Empty>まだありません（問い合わせ画面で質問すると表示されます）</Empty> : (
              <ul>{cited.slice(0, 10).map((c, i) => <li key={i}><strong>{c.title}</strong><div className="sub">「{c.request}」への回答で参照</div></li>)}</ul>)}
          </div>
        </div>
      </div>
    </section>
  );
}
