"""The OpenAPI schema: drf-spectacular's, plus the error answers an endpoint really gives.

drf-spectacular documents the success answer only; clients (and the schema fuzzing test) also need
to know that a request may be refused (401 no credentials, 403 not allowed), may name something
out of scope or missing (404) or may be invalid (400), and what those bodies look like.
"""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema

# DRF's error body for refusals and missing objects.
DETAIL = {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}
# Field errors: {"field": ["message"]} (nested for nested fields), or one such object per row of a
# list body; a refusal before validation is a DETAIL body.
INVALID = {"oneOf": [{"type": "object", "additionalProperties": {}}, {"type": "array", "items": {}}]}


TEXT = {"type": "string"}
# Times of day are local (a roundtable states its time zone apart), "09:00" or "09:00:00": not
# OpenAPI's "time" format, which is RFC 3339's full-time and needs an offset.
LOCAL_TIME = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$"


# The API docs group operations by the part of the portal that answers them (the view's app), in the
# order the apps build on each other; SPECTACULAR_SETTINGS["TAGS"] describes each group.
APP_TAGS = {
    "accounts": "Accounts",
    "engagements": "Engagements",
    "assessments": "Assessments",
    "trainings": "Trainings",
    "network": "Network",
    "followups": "Follow-up",
    "surveys": "Surveys",
    "finance": "Money",
    "outcomes": "Outcomes",
    "history": "History",
    "reports": "Reports",
    "audit": "Audit",
    "notifications": "Notifications",
    "search": "Search",
}


class AutoSchema(SpectacularAutoSchema):
    def get_tags(self) -> list[str]:
        app = type(self.view).__module__.split(".")[0]
        return [APP_TAGS[app]] if app in APP_TAGS else super().get_tags()

    def _error(self, description: str, schema: dict) -> dict:
        # Errors are JSON; an endpoint that offers CSV (``?format=csv``) answers them in CSV too.
        media_types = [media for media in self.map_renderers("media_type") if "json" in media or media == "text/csv"]
        content = {media: {"schema": schema if "json" in media else TEXT} for media in media_types}
        return {"description": description, "content": content or {"application/json": {"schema": schema}}}

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if schema.get("format") == "time":
            del schema["format"]
            schema["pattern"] = LOCAL_TIME
        return schema

    def _get_response_for_code(self, serializer, status_code, media_types=None, direction="response"):
        response = super()._get_response_for_code(serializer, status_code, media_types, direction)
        # A CSV answer is text (its columns are the JSON keys flattened), not the JSON object.
        for media, body in response.get("content", {}).items():
            if media == "text/csv":
                body["schema"] = TEXT
        return response

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        errors = {}
        parameters = self._get_parameters()
        if self.method in ("POST", "PUT", "PATCH") or any(p.get("in") == "query" for p in parameters):
            errors["400"] = self._error("Invalid input; nothing was saved.", INVALID)
        if self.get_auth():
            errors["401"] = self._error("No credentials, or an expired or revoked token.", DETAIL)
            errors["403"] = self._error("The caller's roles do not allow this.", DETAIL)
        paginated = any(p.get("in") == "query" and p.get("name") == "page" for p in parameters)
        if "{" in self.path or paginated:
            errors["404"] = self._error("Not found, or outside the caller's countries (or no such page).", DETAIL)
        # Answers an operation documents itself (e.g. the token endpoint's 400) stay as they are.
        return {**responses, **{code: error for code, error in errors.items() if code not in responses}}
