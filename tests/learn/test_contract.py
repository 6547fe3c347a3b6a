"""The scikit-learn estimator contract, checked on every learned model in dynstab.learn.

Each model: ``get_params``/``set_params`` round trip, sklearn-style ``repr`` (``eval(repr(m))`` rebuilds it),
``sklearn.base.clone`` (which also checks that the constructor stores its arguments unchanged), a fit on a short
series that leaves the hyperparameters alone and adds only ``_``-suffixed public attributes, and a refit of a
clone with the same seed that reproduces every fitted number exactly. ``GridSearchCV`` over NG-RC's ridge with
``TimeSeriesSplit`` at the end.

scikit-learn's own checks (``sklearn.utils.estimator_checks``): those that need no fit run on every model
(``APPLICABLE_CHECKS``). The rest are skipped because they fit on tabular ``fit(X, y)`` with random i.i.d. rows
and a target ``y``: our ``fit(data, dt=None)`` takes time series whose second argument is the sampling step, so
``y`` would be read as ``dt``; random rows are no trajectory (HAVOK needs hundreds of samples, SINDy
differentiates in time); and there is no ``predict``/``transform`` to compare. Their intent is covered here on
real series: ``check_dont_overwrite_parameters`` and ``check_estimators_overwrite_params`` by
``test_fit_keeps_hyperparameters_and_adds_only_fitted_attributes``, ``check_fit_check_is_fitted`` by
``test_check_is_fitted``, and determinism by ``test_refit_of_a_clone_is_identical``. ``check_estimators_pickle``
is skipped: fitted models hold compiled JAX laws (closures), which do not pickle.
"""

import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.utils import estimator_checks
from sklearn.utils.validation import check_is_fitted
from tiny_models import TINY_PHYXMAMBA

import dynstab
from dynstab.learn import (
    ALRNN,
    DMD,
    EDMD,
    HAVOK,
    NGRC,
    EchoStateNetwork,
    HankelDMD,
    LearnedModel,
    NeuralODE,
    PhyxMamba,
    ResDMD,
    ShallowPLRNN,
    SINDy,
)

DT = 0.01

# one small, quick configuration per model (every non-default value exercises set_params and repr)
MODELS = [
    DMD(rank=3),
    HankelDMD(delays=3, rank=6),
    EDMD(degree=2),
    EDMD(dictionary="rbf", n_centers=12, seed=3),
    ResDMD(degree=2),
    HAVOK(delays=20, rank=4),
    SINDy(degree=2, threshold=0.05),
    EchoStateNetwork(30, washout=20, seed=1),
    NGRC(2, ridge=1e-4),
    ShallowPLRNN(3, 8, n_epochs=2, batches_per_epoch=3, batch_size=4, sequence_length=20, progress=False),
    ALRNN(5, 2, n_epochs=2, batches_per_epoch=3, batch_size=4, sequence_length=20, progress=False),
    NeuralODE(8, 1, n_epochs=2, steps_per_epoch=3, batch_size=4, window=4, solver="rk4", progress=False),
    PhyxMamba(**{**TINY_PHYXMAMBA, "n_layers": 1, "n_epochs": 1}),
]
IDS = [f"{type(m).__name__}-{i}" for i, m in enumerate(MODELS)]

APPLICABLE_CHECKS = [
    "check_estimator_cloneable",
    "check_estimator_repr",
    "check_no_attributes_set_in_init",
    "check_parameters_default_constructible",
    "check_get_params_invariance",
    "check_set_params",
    "check_do_not_raise_errors_in_init_or_set_params",
    "check_estimator_tags_renamed",
    "check_valid_tag_types",
]
TIMING = {"train_seconds_", "training_seconds_", "train_result_"}  # wall times differ between runs


def _all_learned_model_classes():
    found, todo = set(), [LearnedModel]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("dynstab.learn") and not getattr(sub, "__abstractmethods__", None):
                found.add(sub)
    return found


@pytest.fixture(scope="module")
def series():
    tr = dynstab.trajectory(dynstab.systems.get("lorenz"), t=6.0, dt=DT, transient=2.0)
    x = np.asarray(tr.x)
    return (x - x.mean(0)) / x.std(0)


def _fit(model, x):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.fit(x, dt=DT)


def _fitted_numbers(model) -> dict:
    """Every numeric fitted attribute (arrays, numbers, dicts of arrays), for exact comparison."""
    out = {}
    for key, value in vars(model).items():
        if not key.endswith("_") or key.startswith("_") or key in TIMING:
            continue
        if isinstance(value, dict):
            for k, v in value.items():
                if isinstance(v, (np.ndarray, float, int)):
                    out[f"{key}[{k}]"] = np.asarray(v)
        elif isinstance(value, (np.ndarray, float, int, np.floating)) and not isinstance(value, bool):
            out[key] = np.asarray(value)
    return out


def test_every_model_is_covered():
    covered = {type(m) for m in MODELS}
    assert _all_learned_model_classes() <= covered, "add the new model to MODELS"


@pytest.mark.parametrize("model", MODELS, ids=IDS)
@pytest.mark.parametrize("check", APPLICABLE_CHECKS)
def test_sklearn_checks_that_apply(model, check):
    getattr(estimator_checks, check)(type(model).__name__, clone(model))


@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_clone_get_set_params_and_repr(model):
    params = model.get_params()
    assert set(params) == set(type(model)._get_param_names())
    copy = clone(model)
    assert copy is not model and copy.get_params() == params
    # repr is scikit-learn's: the class name and the non-default hyperparameters; it rebuilds the model
    assert repr(type(model)()) == f"{type(model).__name__}()"
    assert repr(model).startswith(f"{type(model).__name__}(")
    rebuilt = eval(repr(model), {type(model).__name__: type(model)})
    assert rebuilt.get_params() == params
    # set_params round trip: change every numeric hyperparameter, then restore it
    numeric = {k: v for k, v in params.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
    changed = {k: v + 1 for k, v in numeric.items()}
    assert copy.set_params(**changed) is copy
    assert {k: copy.get_params()[k] for k in changed} == changed
    copy.set_params(**numeric)
    assert copy.get_params() == params
    with pytest.raises(ValueError, match="Invalid parameter"):
        copy.set_params(not_a_hyperparameter=1)


@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_check_is_fitted(model, series):
    m = clone(model)
    with pytest.raises(NotFittedError):
        check_is_fitted(m)
    _fit(m, series)
    check_is_fitted(m)


@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_fit_keeps_hyperparameters_and_adds_only_fitted_attributes(model, series):
    m = clone(model)
    before_params, before_attrs = m.get_params(), set(vars(m))
    assert _fit(m, series) is m
    assert m.get_params() == before_params
    added = {k for k in vars(m) if k not in before_attrs and not k.startswith("_")}
    assert added and all(k.endswith("_") for k in added), sorted(added)
    assert m.dt_ == DT and m.dim_ == series.shape[1]
    system = m.as_system()
    if system.kind == "map":  # one iteration of a learned map stands for one sampling step
        # one iteration of a patch model (PhyxMamba) is one patch of samples
        assert system.dt == pytest.approx(DT * getattr(m, "samples_per_iteration", 1))


@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_refit_of_a_clone_is_identical(model, series):
    a = _fit(clone(model), series)
    b = _fit(clone(a), series)  # a clone of a fitted model is unfitted, with the same hyperparameters and seed
    na, nb = _fitted_numbers(a), _fitted_numbers(b)
    assert na and na.keys() == nb.keys()
    for key in na:
        np.testing.assert_array_equal(na[key], nb[key], err_msg=key)
    ctx = series[: max(a.context_length, 1)]
    np.testing.assert_array_equal(a.forecast(ctx, 5), b.forecast(ctx, 5))


def test_grid_search_over_ngrc_ridge():
    tr = dynstab.trajectory(dynstab.systems.get("lorenz"), t=30.0, dt=0.025, transient=5.0)
    x = np.asarray(tr.x)
    grid = [1e-6, 1e-3, 1e3]
    search = GridSearchCV(
        NGRC(k=2),
        {"ridge": grid},
        cv=TimeSeriesSplit(n_splits=3),
        scoring=lambda est, X, y=None: est.score(X, steps=10),
    )
    search.fit(x, dt=0.025)
    scores = search.cv_results_["mean_test_score"]
    assert np.all(np.isfinite(scores)) and scores.shape == (3,)
    assert search.best_params_["ridge"] in grid and search.best_params_["ridge"] != 1e3  # 1e3 underfits
    assert search.best_score_ > 0.9  # 10 steps of 0.025 are well inside a Lyapunov time
    best = search.best_estimator_
    assert best.dt_ == 0.025 and best.ridge == search.best_params_["ridge"]
    # the default score (the whole test fold) also works inside GridSearchCV
    GridSearchCV(NGRC(k=2), {"ridge": [1e-6, 1e-3]}, cv=TimeSeriesSplit(n_splits=2)).fit(x[:400], dt=0.025)
