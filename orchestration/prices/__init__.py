"""The price book's commands: finops prices check / show / sync / add."""
