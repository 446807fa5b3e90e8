"""Every write of governance goes through these services (one module per area)."""

from alveole.governance.services.assemblies import (
    agenda_item_add,
    agenda_item_delete,
    assembly_close,
    assembly_convene,
    assembly_create,
    assembly_document_add,
    assembly_open,
    assembly_update,
    attendance_sign,
    convocation_resend,
    decode_signature,
    proxy_give,
    proxy_revoke,
    token_hash,
)
from alveole.governance.services.board import mandate_end, mandate_start
from alveole.governance.services.shares import (
    associate_admit,
    governance_settings_update,
    shares_refund_on_exit,
    shares_refund_pay,
    shares_release_record,
    shares_subscribe,
)
from alveole.governance.services.votes import (
    ballot_key,
    resolution_add,
    resolution_close_vote,
    resolution_delete,
    resolution_open_vote,
    room_tally_record,
    secret_code_new,
    secret_code_normalise,
    vote_cast,
    vote_record_in_room,
)

__all__ = [
    "agenda_item_add", "agenda_item_delete", "assembly_close", "assembly_convene",
    "assembly_create", "assembly_document_add", "assembly_open", "assembly_update",
    "associate_admit", "attendance_sign", "ballot_key", "convocation_resend", "decode_signature",
    "governance_settings_update", "mandate_end", "mandate_start", "proxy_give", "proxy_revoke",
    "resolution_add", "resolution_close_vote", "resolution_delete", "resolution_open_vote",
    "room_tally_record", "secret_code_new", "secret_code_normalise", "shares_refund_on_exit",
    "shares_refund_pay", "shares_release_record", "shares_subscribe", "token_hash", "vote_cast",
    "vote_record_in_room",
]  # fmt: skip
