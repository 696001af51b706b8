"""The club's fixed vocabularies and limits: the one place they are written down."""

from __future__ import annotations

from enum import StrEnum
from typing import Final


class Position(StrEnum):
    BACKEND = "백엔드"
    FRONTEND = "프론트엔드"
    AI = "AI"
    DESIGNER = "디자이너"


class Genre(StrEnum):
    WEB = "웹"
    APP = "앱"
    GAME = "게임"


class Category(StrEnum):
    WEB = "웹"
    IOS = "IOS"
    ANDROID = "안드로이드"
    CROSS_PLATFORM = "크로스플랫폼"
    JAVA = "자바"
    PYTHON = "파이썬"
    NODE = "노드"
    UIUX_PLANNING = "UI/UX 기획"
    GAME_PLANNING = "게임 기획"
    CONTENT_PLANNING = "컨텐츠 기획"
    PROJECT_MANAGER = "프로젝트 매니저"
    UNITY = "유니티"
    UNREAL = "언리얼"
    DEEP_LEARNING = "딥러닝"
    MACHINE_LEARNING = "머신러닝"
    DATA_ENGINEER = "데이터 엔지니어"
    GAME_GRAPHIC_DESIGN = "게임 그래픽 디자인"
    UIUX_DESIGN = "UI/UX 디자인"


class Limits:
    """Numbers of SPEC §1. Named so that rules, forms and the catalog endpoint agree."""

    NAME_MIN: Final = 2
    NAME_MAX: Final = 12
    STUDENT_NUMBER_MIN: Final = 7
    STUDENT_NUMBER_MAX: Final = 10
    BIO_MAX: Final = 500
    TECH_STACK_MAX_ITEMS: Final = 30
    TECH_STACK_ITEM_MAX: Final = 30
    LINKS_MAX: Final = 10
    LINK_MAX: Final = 200
    TITLE_MAX: Final = 30
    DESCRIPTION_MAX: Final = 2000
    SLOTS_MIN: Final = 1
    SLOTS_MAX: Final = len(Category)
    CAPACITY_MIN: Final = 1
    CAPACITY_MAX: Final = 10
    MESSAGE_MAX: Final = 200


DEFAULT_BIO: Final = "열심히 하겠습니다!"
DEFAULT_MESSAGE: Final = "열심히 하겠습니다!"
