"""An event's own registration questions: listed in form order, added, changed and deleted.

The rules are the questions page's (events/management.py): choice questions list
their choices, and a question's kind is fixed once someone answered it.
"""

from dataclasses import fields as dataclass_fields

from flask import url_for
from marshmallow import fields, validate

from eventsys.api import pagination
from eventsys.api.auth import managed_event
from eventsys.api.organiser import organiser_blueprint
from eventsys.api.organiser.docs import reads, writes
from eventsys.api.organiser.fields import Line, all_optional
from eventsys.api.organiser.refusals import refuse
from eventsys.api.schemas import Strict
from eventsys.events import management
from eventsys.events.lifecycle import ChangeRefused
from eventsys.events.management import OPTION_MAX, QuestionDetails
from eventsys.registration.models import Question, QuestionKind

blp = organiser_blueprint("organiser_questions", __name__, "An event's registration questions")

#: choices one question may offer
OPTIONS_MAX = 100


class QuestionChangeSchema(Strict):
    kind = fields.Enum(QuestionKind, by_value=True, required=True)
    label = Line(300, required=True, metadata={"description": "The question as the form asks it"})
    help_text = Line(500, load_default="")
    required = fields.Boolean(load_default=False)
    options = fields.List(Line(OPTION_MAX), load_default=list, validate=validate.Length(max=OPTIONS_MAX),
                          metadata={"description": "The choices of a choice question, in order"})
    number_min = fields.Float(allow_none=True, load_default=None, allow_nan=False, metadata={
        "description": "A number question's smallest answer (inclusive); null for no limit. "
                       "At most number_max; whole when whole_numbers is true"})
    number_max = fields.Float(allow_none=True, load_default=None, allow_nan=False, metadata={
        "description": "A number question's largest answer (inclusive); null for no limit"})
    whole_numbers = fields.Boolean(load_default=False, metadata={
        "description": "A number question takes whole numbers only (2, not 2.5)"})


QuestionPatchSchema = all_optional(QuestionChangeSchema, "QuestionPatchSchema")


class FormQuestionSchema(Strict):
    id = fields.Integer(metadata={"description": "The key of its answer in a registration's `answers`"})
    position = fields.Integer(metadata={"description": "Place on the form, smallest first"})
    kind = fields.Enum(QuestionKind, by_value=True)
    label = fields.String()
    help_text = fields.String()
    required = fields.Boolean()
    options = fields.List(fields.String())
    number_min = fields.Float(allow_none=True, metadata={"description": "Smallest answer (number questions)"})
    number_max = fields.Float(allow_none=True, metadata={"description": "Largest answer (number questions)"})
    whole_numbers = fields.Boolean(metadata={"description": "Only whole numbers (number questions)"})


FormQuestionPageSchema = pagination.page_schema(FormQuestionSchema, "FormQuestionPageSchema")


class QuestionListQuerySchema(Strict):
    limit = pagination.limit_field()
    after = pagination.after_field()


def _key(question: Question) -> tuple:
    return (question.position, question.id)


def _details(values: dict) -> QuestionDetails:
    return QuestionDetails(**{field.name: values[field.name] for field in dataclass_fields(QuestionDetails)})


@blp.route("/events/<int:event_id>/questions", methods=["GET"])
@blp.arguments(QuestionListQuerySchema(), location="query")
@blp.response(200, FormQuestionPageSchema, headers=pagination.LINK_HEADER)
@reads(blp)
def list_questions(query, event_id: int):
    """The event's own questions, in the order of the registration form."""
    after = pagination.after_key(query["after"], (int, int))
    return pagination.answer(pagination.page_of_list(managed_event().questions, _key, after, query["limit"]))


@blp.route("/events/<int:event_id>/questions", methods=["POST"])
@blp.arguments(QuestionChangeSchema())
@blp.response(201, FormQuestionSchema,
              headers={"Location": {"description": "The new question", "schema": {"type": "string"}}})
@writes(blp, conflict="The event is cancelled")
def create_question(data, event_id: int):
    """Add a question at the end of the form."""
    try:
        question = management.save_question(managed_event(), _details(data))
    except ChangeRefused as refused:
        refuse(refused.errors)
    location = url_for(".get_question", event_id=event_id, question_id=question.id, _external=True)
    return question, 201, {"Location": location}


@blp.route("/events/<int:event_id>/questions/<int:question_id>", methods=["GET"])
@blp.response(200, FormQuestionSchema)
@reads(blp)
def get_question(event_id: int, question_id: int):
    """One question of the form."""
    return management.question_of(event_id, question_id)


@blp.route("/events/<int:event_id>/questions/<int:question_id>", methods=["PATCH"])
@blp.arguments(QuestionPatchSchema())
@blp.response(200, FormQuestionSchema)
@writes(blp, conflict="The event is cancelled")
def update_question(data, event_id: int, question_id: int):
    """Change the question; its kind only while nobody has registered."""
    question = management.question_of(event_id, question_id)
    current = {field.name: getattr(question, field.name) for field in dataclass_fields(QuestionDetails)}
    try:
        management.save_question(managed_event(), _details(current | data), question)
    except ChangeRefused as refused:
        refuse(refused.errors)
    return question


@blp.route("/events/<int:event_id>/questions/<int:question_id>", methods=["DELETE"])
@blp.response(204)
@writes(blp, conflict="The event is cancelled")
def delete_question(event_id: int, question_id: int):
    """Take the question off the form; answers already given stay with the registrations."""
    try:
        management.delete_question(managed_event(), management.question_of(event_id, question_id))
    except ChangeRefused as refused:
        refuse(refused.errors)
