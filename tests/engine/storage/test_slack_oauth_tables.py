"""The Slack OAuth tables Alembic creates are the ones slack_sdk's installation store uses."""

import pytest
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from sqlalchemy import MetaData

from engine.storage.models import Base


def shape(table):
    columns = {c.name: (type(c.type).__name__, getattr(c.type, "length", None), c.nullable,
                        c.primary_key) for c in table.columns}
    indexes = {i.name: tuple(c.name for c in i.columns) for i in table.indexes}
    return columns, indexes


@pytest.mark.parametrize("name, build", [
    ("slack_installations", SQLAlchemyInstallationStore.build_installations_table),
    ("slack_bots", SQLAlchemyInstallationStore.build_bots_table),
])
def test_our_declaration_matches_slack_sdks_table(name, build):
    theirs = build(MetaData(), name)
    assert shape(Base.metadata.tables[name]) == shape(theirs), (
        f"slack_sdk changed {name}: add an Alembic revision and update engine/storage/models.py")


def test_the_store_reads_and_writes_the_tables_the_migrations_made(db_url):
    from slack_sdk.oauth.installation_store import Installation

    from engine.storage.db import make_engine

    engine = make_engine(db_url)
    store = SQLAlchemyInstallationStore(client_id="C1", engine=engine)  # no create_tables()
    store.save(Installation(app_id="A1", team_id="T1", user_id="U1", bot_token="xoxb-1",
                            bot_id="B1", bot_user_id="UB", bot_scopes=["commands"]))
    found = store.find_bot(enterprise_id=None, team_id="T1")
    engine.dispose()
    assert found is not None and found.bot_token == "xoxb-1"
