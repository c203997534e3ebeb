from django.dispatch import Signal

# Sent after an opportunity is closed (won or lost) or reopened, inside the transaction.
# Arguments: opportunity, user. Reports and leads may listen; this app does not need to know.
opportunity_closed = Signal()
opportunity_reopened = Signal()
