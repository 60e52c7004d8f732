"""People, organisations and places of an article: merged mentions, canonical names, roles."""

from onrecord.entities.people import EntityBuilder, EntityIndex
from onrecord.entities.roles import find_roles

__all__ = ["EntityBuilder", "EntityIndex", "find_roles"]
