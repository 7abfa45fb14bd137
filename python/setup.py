"""Copies sbic's shared library into the package when it is built.

`pip install ./python` runs this from the repository, after `swift build -c release` has
written .build/release/libsbic_capi.so; the package then carries its own copy. With
SBIC_LIBRARY set at install time, that file is copied instead.
"""
import os
import shutil

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = os.path.dirname(os.path.abspath(__file__))
REPOSITORY = os.path.dirname(HERE)


class BuildWithLibrary(build_py):
    def run(self):
        super().run()
        library = os.environ.get("SBIC_LIBRARY") or os.path.join(REPOSITORY, ".build", "release", "libsbic_capi.so")
        if not os.path.isfile(library):
            raise SystemExit(f"sbic: {library} does not exist; run `swift build -c release` in {REPOSITORY} first, "
                             "or set SBIC_LIBRARY to the path of libsbic_capi.so")
        target = os.path.join(self.build_lib, "sbic")
        os.makedirs(target, exist_ok=True)
        shutil.copyfile(library, os.path.join(target, "libsbic_capi.so"))
        shutil.copyfile(os.path.join(REPOSITORY, "Sources", "CAPI", "sbic.h"), os.path.join(target, "sbic.h"))


setup(cmdclass={"build_py": BuildWithLibrary})
