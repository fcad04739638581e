"""One exception root for everything the user must read, and the exit codes scripts act on.

Every failure a person can cause or fix (bad archive, wrong password, server down) is raised as a
`QuittexError`. Nothing else should reach the user as a traceback. Messages must never contain secrets
(app passwords, tokens): build them from names, not values.

An error says *what happened* and *what to do*, and the two are kept apart because each front end
phrases "what to do" in its own terms: the CLI names a command to run, the TUI a field and a key.

- `key` + `params`: the message, a catalogue key of the core domain (`error.*`, quittex_tui/locales),
  rendered in the user's language;
- `todo`: `Todo(code, params)` items; each front end's catalogue phrases `do.<code>` (cli/locales:
  "run: quittex-tui login bluesky alice.test --service https://pds.example"; tui/locales: "open
  Accounts (2), choose Bluesky and press Enter"). tests/test_i18n_catalogues.py checks that both front
  ends phrase every code defined in `TODO_CODES`, in every language.

`message` and `hint` render those for the front end the process runs (`i18n.set_front_end`), so code
that shows `exc.message` / `exc.hint` is right in every language without knowing any of this. Older
call sites may still pass plain English `message` / `hint` strings; those are shown as they are.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

# Exit codes (documented in `quittex-tui --help` and docs/cli-json.md). 75 is sysexits.h EX_TEMPFAIL:
# "a temporary failure … the user is invited to retry later" — what a script should do on a server
# that is down or unreachable.
EXIT_OK = 0
EXIT_ITEMS_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_TEMPFAIL = 75
EXIT_INTERRUPTED = 130

# Every `Todo.code` the core may raise; each front end phrases all of them (`do.<code>`).
TODO_CODES = (
    "login_bluesky",  # handle: log in (again) to Bluesky
    "login_bluesky_service",  # handle, service: the same on a given PDS
    "login_mastodon",  # instance: log in (again) to Mastodon
    "app_password",  # where a Bluesky app password is made
    "check_handle",  # handle: the spelling of a Bluesky handle
    "give_pds",  # handle: name the PDS explicitly (self-hosted accounts)
    "check_pds",  # service: the PDS address given
    "check_instance",  # instance: the Mastodon address given
    "check_network",  # the machine's network connection
    "retry_later",  # a server failing or down
    "wait_rate_limit",  # a login rate limit
    "unset_password_env",  # the app password in the environment is wrong
    "unset_token_env",  # instance: the token in the environment is wrong
    "check_token",  # instance: a token given to store is wrong
    "new_code",  # instance: the OAuth code is single-use / expired
    "use_https",  # url: the https form of an address
    "give_url",  # what: give an address in a usable form
    "replace_secrets_file",  # path: a damaged secrets file to delete before logging in again
    "resend_unsure",  # a post that may or may not be on the account: look, then resend or leave it
    "report_bug",  # an internal inconsistency: report it
    "accept_syntax",  # how to name the account to accept for a person (audience)
    "reject_syntax",  # how to reject a match (audience)
    "see_ids",  # where the people's X ids are listed (audience)
    "search_mastodon_again",  # search Mastodon again to record full addresses (export)
    "other_csv_path",  # the follows CSV cannot be written there (export)
    "check_handles_path",  # a handles file cannot be read
    "handles_format",  # what a line of a handles file looks like
    "import_in_mastodon",  # a Mastodon follows list is imported in Mastodon, not given as handles
    "redownload_fedifinder",  # a damaged fedifinder export
    "fedifinder_or_csv",  # what handles files are accepted
    "use_appview",  # the PDS has no AppView: read through a public one
    "picture_by_hand",  # a profile picture that cannot be made small enough
    "redownload",  # a damaged or foreign archive: download it again from X
    "give_whole_archive",  # a split archive needs every part
    "check_archive_path",  # the archive's path
    "check_permissions",  # a file that cannot be read
    "remove_link",  # a symlink out of the archive folder
    "give_archive",  # the .zip or its extracted folder, not one file
    "damaged_file",  # a damaged data file inside the archive
    "new_archive",  # request a current archive from X
    "check_complete",  # this is the data archive, complete
    "free_space",  # a full disk
    "make_writable",  # a read-only folder
    "give_write_access",  # no permission to write
    "check_disk",  # an I/O error
    "fix_cause",  # another write failure
    "local_disk",  # a lock on a network file system
    "wait_or_stop",  # the migration runs in another process
    "move_journal_away",  # a damaged journal
    "upgrade",  # a state written by a newer version
    "check_state_path",  # no state at the path given
    "fix_or_move_state",  # a damaged state file
    "other_state_file",  # a state of another archive
    "reinstall",  # a file of the package itself is missing
)


class Term(str):
    """A parameter that is itself a catalogue key ("what.pds"), translated when the message is shown."""

    __slots__ = ()


def _param(value: object) -> str:
    if isinstance(value, str):  # a Term or a notice.Notice keeps its words (translated when shown)
        return value
    return "" if value is None else str(value)


@dataclass(frozen=True)
class Todo:
    """One thing the person can do about an error; each front end phrases `do.<code>` with `params`.
    A Todo may also be a parameter of a notice.Notice (an engine failure saying what to do)."""

    code: str
    params: Mapping[str, str] = field(default_factory=dict)

    @property
    def catalogue_key(self) -> str:
        return f"do.{self.code}"

    @property
    def catalogue_params(self) -> Mapping[str, str]:
        return self.params


def todo(code: str, **params: object) -> Todo:
    if code not in TODO_CODES:
        raise ValueError(f"unknown todo code {code!r}: add it to errors.TODO_CODES and to the catalogues")
    return Todo(code, {k: _param(v) for k, v in params.items()})


def login_todo(handle: str, service: str | None = None) -> Todo:
    """Log in to Bluesky again — on `service` when the account has one (a shell command must keep it)."""
    if service:
        return todo("login_bluesky_service", handle=handle, service=service)
    return todo("login_bluesky", handle=handle)


class QuittexError(Exception):
    """A failure explained in words: `message` says what happened, `hint` what to do about it."""

    exit_code = EXIT_BAD_INPUT

    def __init__(
        self,
        message: str = "",
        hint: str = "",
        *,
        key: str = "",
        params: Mapping[str, object] | None = None,
        todo: Sequence[Todo] = (),
    ) -> None:
        self.key = key
        self.params = {k: _param(v) for k, v in (params or {}).items()}
        self.todo = tuple(todo)
        self._message = message
        self._hint = hint
        super().__init__(self.render(lang="en")[0])

    def render(self, *, front_end: str | None = None, lang: str | None = None) -> tuple[str, str]:
        """(message, hint) in `lang` (default: the current language) as `front_end` phrases them."""
        from quittex_tui import i18n

        domain = front_end or i18n.front_end()

        def say(key: str, params: Mapping[str, str]) -> str:
            values = {
                k: i18n.translate(domain, v, lang=lang) if isinstance(v, Term) else i18n.say(v, domain, lang)
                for k, v in params.items()
            }
            return i18n.translate(domain, key, lang=lang, **values)

        message = say(self.key, self.params) if self.key else self._message
        hints = [self._hint] if self._hint else []
        hints += [say(f"do.{t.code}", t.params) for t in self.todo]
        return message, "\n".join(h for h in hints if h)

    @property
    def message(self) -> str:
        return self.render()[0]

    @property
    def hint(self) -> str:
        return self.render()[1]

    def __str__(self) -> str:
        message, hint = self.render()
        return f"{message}\n{hint}" if hint else message


class ArchiveError(QuittexError):
    """The X archive cannot be read (corrupt, truncated, hostile, not an archive, unsupported)."""


class InputError(QuittexError):
    """A command-line argument or user-supplied file is wrong."""


class AuthError(QuittexError):
    """Login failed, a token was revoked, a handle does not resolve."""


class ServiceError(QuittexError):
    """A server is unreachable, down, or keeps failing after retries: retrying later may work."""

    exit_code = EXIT_TEMPFAIL


class StateError(QuittexError):
    """The saved migration state cannot be read or belongs to another archive."""
