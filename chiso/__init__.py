"""chiso — chỉ số: a province's direction & management indicator set and the
Decision 766 service-quality index, computed in real time from its own records."""

__version__ = "0.1.0"
