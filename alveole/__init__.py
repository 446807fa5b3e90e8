"""Alvéole: the information system of a French Coopérative d'Activité et d'Emploi."""

__version__ = "0.1.0"
