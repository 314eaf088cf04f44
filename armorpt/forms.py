class DescribedErrorsMixin:
    """Tie each field's error message to its input (aria-describedby), so screen readers read it.

    crispy-bootstrap5 renders the message with id "<input id>_error"; Django 5.2 links only
    the help text.
    """

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name not in self.fields:
                continue
            field, input_id = self.fields[name], self[name].auto_id
            described_by = [f"{input_id}_error"] + ([f"{input_id}_helptext"] if field.help_text else [])
            field.widget.attrs["aria-describedby"] = " ".join(described_by)
