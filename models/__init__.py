"""Estimators, candidate comparison, champion selection and the model registry."""
