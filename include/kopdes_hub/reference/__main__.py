"""Rebuild the committed cooperative registry: ``python -m include.kopdes_hub.reference``."""

from include.kopdes_hub.reference import REGISTRY_CSV, build_registry, load_villages, write_registry

write_registry(build_registry(load_villages()))
print(f"wrote {REGISTRY_CSV}")
