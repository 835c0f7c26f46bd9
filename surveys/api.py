"""REST API of the surveys (docs/API.md): the surveys of the sessions a caller sees (read only), and
each survey's results, as the survey page shows them to that caller."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from drf_spectacular.utils import inline_serializer
from rest_framework import serializers
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from ta_portal.api import ScopedViewSetMixin

from . import selectors
from .models import Survey


class SurveySerializer(serializers.ModelSerializer):
    invited = serializers.IntegerField(source="n_invited", read_only=True)
    answered = serializers.IntegerField(source="n_answered", read_only=True)
    response_rate = serializers.SerializerMethodField()

    class Meta:
        model = Survey
        fields = [
            "id",
            "session",
            "purpose",
            "template",
            "anonymous",
            "opens_on",
            "closes_on",
            "invited",
            "answered",
            "response_rate",
        ]
        read_only_fields = fields

    def get_response_rate(self, survey) -> float | None:
        return selectors.response_rate(survey.n_answered, survey.n_invited)


def _group(**kwargs):
    return inline_serializer(
        "SurveyGroup",
        {
            "key": serializers.CharField(allow_null=True),
            "label": serializers.CharField(),
            "invited": serializers.IntegerField(),
            "answered": serializers.IntegerField(),
            "response_rate": serializers.FloatField(allow_null=True),
        },
        **kwargs,
    )


def _group_mean(**kwargs):
    return inline_serializer(
        "SurveyGroupMean",
        {
            "label": serializers.CharField(),
            "n": serializers.IntegerField(),
            "mean": serializers.FloatField(allow_null=True),
        },
        **kwargs,
    )


# One class each (the schema names them once), used for several fields.
_Group = type(_group())
_GroupMean = type(_group_mean())
_QUESTION = inline_serializer(
    "SurveyQuestionResult",
    {
        "question": serializers.IntegerField(),
        "code": serializers.CharField(),
        "kind": serializers.ChoiceField(choices=["likert", "choice", "number", "text"]),
        "text": serializers.CharField(),
        "n": serializers.IntegerField(),
        "distribution": serializers.ListField(
            child=inline_serializer(
                "SurveyAnswerCount", {"answer": serializers.CharField(), "n": serializers.IntegerField()}
            )
        ),
        "mean": serializers.FloatField(allow_null=True),
        "median": serializers.FloatField(allow_null=True),
        "agree_rate": serializers.FloatField(allow_null=True),
        "by_sex": _GroupMean(many=True),
        "by_agency": _GroupMean(many=True),
        "comments": serializers.ListField(child=serializers.CharField(), allow_null=True),
    },
    many=True,
)
RESULTS = inline_serializer(
    "SurveyResults",
    {
        "survey": serializers.IntegerField(),
        "session": serializers.IntegerField(),
        "purpose": serializers.CharField(),
        "anonymous": serializers.BooleanField(),
        "invited": serializers.IntegerField(),
        "answered": serializers.IntegerField(),
        "response_rate": serializers.FloatField(allow_null=True),
        "by_sex": _Group(many=True),
        "by_agency": _Group(many=True),
        "groups_withheld": serializers.IntegerField(),
        "questions": _QUESTION,
    },
)


def _groups(groups) -> list[dict]:
    return [
        {
            "key": None if g.key is None else str(g.key),
            "label": g.label,
            "invited": g.invited,
            "answered": g.answered,
            "response_rate": g.response_rate,
        }
        for g in groups
    ]


def _means(groups) -> list[dict]:
    return [{"label": g.label, "n": g.n, "mean": g.mean} for g in groups]


def results_data(survey: Survey, user) -> dict:
    results = selectors.survey_results(survey, user)
    return {
        "survey": survey.pk,
        "session": survey.session_id,
        "purpose": survey.purpose,
        "anonymous": survey.anonymous,
        "invited": results.invited,
        "answered": results.answered,
        "response_rate": results.response_rate,
        "by_sex": _groups(results.by_sex),
        "by_agency": _groups(results.by_agency),
        "groups_withheld": results.withheld_sex + results.withheld_agencies,
        "questions": [
            {
                "question": r.question.pk,
                "code": r.question.code,
                "kind": r.kind,
                "text": r.question.local_text,
                "n": r.n,
                "distribution": [{"answer": str(label), "n": n} for label, n in r.distribution],
                "mean": r.mean,
                "median": r.median,
                "agree_rate": r.agree_rate,
                "by_sex": _means(r.by_sex),
                "by_agency": _means(r.by_agency),
                "comments": r.comments,
            }
            for r in results.questions
        ],
    }


class SurveyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Surveys of the sessions the caller sees (``?session=``, ``?purpose=``); read only."""

    http_method_names = ["get", "head", "options"]
    queryset = Survey.objects.all()
    serializer_class = SurveySerializer
    filterset_fields = ["session", "purpose"]

    def get_queryset(self):
        return selectors.survey_list_for_user(user=self.request.user)

    @extend_schema(responses=RESULTS, description="The survey's results, as its page shows them to the caller.")
    @action(detail=True, methods=["get"])
    def results(self, request, pk=None):
        survey = self.get_object()
        return Response(results_data(survey, request.user))


def register(router) -> None:
    router.register("surveys", SurveyViewSet, basename="survey")
