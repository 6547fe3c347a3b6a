"""Hyperparameters of the tiny learned models that the tests train in a second or two (shared by the
estimator-contract tests and the model's own tests)."""

#: A PhyxMamba small enough to fit in a second: 2 layers of width 8, one MTP module, 4-sample tokens.
TINY_PHYXMAMBA = dict(
    d_model=8,
    d_state=4,
    expand=2,
    headdim=4,
    n_layers=2,
    mtp_steps=1,
    embedding_dim=2,
    delay=2,
    token_size=4,
    lookback=4,
    rollout_tokens=2,
    n_epochs=2,
    finetune_epochs=1,
    batch_size=4,
    progress=False,
)
