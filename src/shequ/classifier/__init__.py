"""Message classifier: first-level category of a citizen's message, trained on real labelled messages.

Run time needs numpy only; training (`shequ train-classifier`) needs scikit-learn (the `dev` extra).
"""

from shequ.classifier.model import Prediction, predict, predict_many

__all__ = ["Prediction", "predict", "predict_many"]
