"""The emulator's plugins, one module per vendor shape, each exporting ``PLUGIN``.

They are found through the sources that name them (``Source.emulator`` in ``connectors/registry.py``), never
through a list here. See :mod:`emulator.plugin` for what a plugin provides.
"""
