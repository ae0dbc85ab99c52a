"""PLACEHOLDER (issue 13): filled by its owner before commit."""
from fastapi import APIRouter

router = APIRouter()
