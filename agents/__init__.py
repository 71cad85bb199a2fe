"""Mesa agents of the funnel: accounts, contacts (buyers), reps and the marketer.

Agents are thin: their state lives in the model's arrays, and their verbs call the
shared behaviour functions.  Contacts and accounts exist as agents only on the
reference driver; reps and the marketer exist on both.
"""

from agents.account import Account
from agents.contact import Contact
from agents.marketer import Marketer
from agents.rep import Rep

__all__ = ["Account", "Contact", "Marketer", "Rep"]
