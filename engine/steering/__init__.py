"""Steering vectors: directions in a model's residual stream, and their files."""

from engine.steering.vectors import (
    IncompatibleVectorError,
    Steering,
    SteeringVector,
    VectorFileError,
)

__all__ = ["IncompatibleVectorError", "Steering", "SteeringVector", "VectorFileError"]
