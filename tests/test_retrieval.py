"""One retrieval: chat (and drafting, which prepares through the same methods), the
evaluation's rag and CoSteer's local context, in chat and in the evaluation, pick the
same texts for the same history and request (engine.methods.rag.pick_texts): the
near-copy of the request left out, the most similar first, long texts cut, within the
budget. The real model's tokenizer and MiniLM."""

from __future__ import annotations

from assistant import method_registry as methods
from assistant.writing.history import HistoryService
from engine.eval.data import HistoryItem
from engine.methods.rag import RAG_ITEM_TOKENS, RAG_K, is_near_duplicate, rag_budget

REQUEST = "Write a short note to my neighbour about the fence and the dog."
SEA = "The sea was grey this morning. " * 60  # well over RAG_ITEM_TOKENS
HISTORY = [
    ("Tell the neighbours", "Dear Ann, the fence is fixed and the dog stays in our yard now."),
    ("Weekend?", "A long walk by the river, a book, and no phone at all."),
    ("Coffee?", "Coffee first. Then the inbox. Then, maybe, people."),
    ("A note", "a short note to my neighbour about the fence and the dog"),  # the request
    ("The sea", SEA),
    ("Dogs", "Our dog barks at the postman and at nobody else; the fence does not help."),
    ("Work", "Meeting moved to 3. Slides by noon, please."),
    ("Garden", "The hedge by the fence needs cutting before the neighbours complain."),
]
REPLY_TOKENS = 2600  # leaves (4096 - 2600) / 4 = 374 tokens: the budget binds


def test_chat_the_evaluation_and_costeer_pick_the_same_texts(app):
    from assistant.cloud.plan import context_block
    from assistant.cloud.service import CloudService
    from assistant.evaluation.costeer import CoSteerEvalMethod
    from assistant.evaluation.service import rag_examples
    from engine.runtime.generation import CancelToken

    history = HistoryService(app.db)
    for prompt, text in HISTORY:
        history.add(text, prompt=prompt)
    rt = app.runtime()
    sampling = app.sampling(max_tokens=REPLY_TOKENS)
    req = methods.Request(app, rt, [{"role": "user", "content": REQUEST}], REQUEST,
                          sampling, CancelToken())

    chat, ids, used = methods.retrieve_texts(req)
    rows = [HistoryItem(prompt, text) for prompt, text in HISTORY]
    evaluation = rag_examples(rt, rows, REQUEST, REPLY_TOKENS)
    cloud, _description = CloudService(app).personal_context(REQUEST, rt, REPLY_TOKENS)
    costeer_eval = CoSteerEvalMethod(rt, sampling, "http://127.0.0.1:9/v1", "m",
                                     api_key="k").personal_texts(rows, REQUEST)
    assert chat and chat == evaluation == cloud == costeer_eval

    # The one rule: no near-copy of the request, at most RAG_K, within the budget, the
    # most similar first (the fence-and-dog note before the coffee).
    texts = [t for _p, t in HISTORY]
    assert not any(is_near_duplicate(REQUEST, t) for t in chat)
    assert len(chat) <= RAG_K and 0 < used <= rag_budget(rt.n_ctx, REPLY_TOKENS)
    assert chat[0] == texts[0] and ids[0] == history.writing()[0].id
    assert SEA not in chat  # 400 tokens do not fit the budget left; shorter texts do
    # CoSteer's local model sees exactly those texts.
    block = context_block(cloud, None)
    assert all(t.strip() in block for t in chat)


def test_a_long_text_is_cut_alike_everywhere(app):
    from assistant.evaluation.service import rag_examples
    from engine.runtime.generation import CancelToken

    HistoryService(app.db).add(SEA, prompt="The sea")
    rt = app.runtime()
    req = methods.Request(app, rt, [{"role": "user", "content": "the sea"}], "the sea",
                          app.sampling(max_tokens=64), CancelToken())
    [chat], _ids, used = methods.retrieve_texts(req)
    assert used == RAG_ITEM_TOKENS and len(chat) < len(SEA) and SEA.startswith(chat.strip())
    assert rag_examples(rt, [HistoryItem("The sea", SEA)], "the sea", 64) == [chat]


def test_a_build_picks_the_same_texts_without_loading_torch(llama_runtime):
    """`rag.prepare` embeds in a child process (a build's memory stays the model's): the
    picks then equal those of an in-process embedder, and torch was never imported."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    texts = ["Hi all, the budget review moves to Thursday.", "Whisk two eggs and fry.",
             "Dear Ms Patel, the corrected invoice is attached.", "Roast the tomatoes."]
    requests = ["Tell the team the meeting moved.", "Share a soup recipe."]
    script = f"""
import json, sys
from engine.methods.rag import pick_texts, prepare
from engine.runtime.llamacpp import LlamaRuntime
from assistant.local_models.choice import embedded_model_path
texts, requests = {texts!r}, {requests!r}
rt = LlamaRuntime(embedded_model_path(), n_ctx=1024)
prepare(texts + requests)
picks = [pick_texts(r, texts, rt, 400).indices for r in requests]
print(json.dumps({{"picks": picks, "torch": "torch" in sys.modules}}))
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=300, cwd=Path(__file__).resolve().parents[1])
    assert out.returncode == 0, out.stderr[-2000:]
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["torch"] is False
    from assistant.local_models.choice import embedded_model_path
    from engine.methods.rag import pick_texts
    from engine.runtime.llamacpp import LlamaRuntime

    rt = LlamaRuntime(embedded_model_path(), n_ctx=1024)
    assert got["picks"] == [pick_texts(r, texts, rt, 400).indices for r in requests]
    assert got["picks"][0][0] in (0, 2) and got["picks"][1][0] in (1, 3)
