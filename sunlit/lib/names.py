"""Word lists for the demo: Lianyuan's townships, and parts to build villages and people.

The townships are real (涟源市, Loudi, Hunan); their 3-digit codes follow the statistical
scheme (001–099 街道, 1xx 镇, 2xx 乡) but are assigned here in list order, not copied
from the official table. Village and person names are generated, so that no real
village's or person's data is ever implied.
"""

from __future__ import annotations

PROVINCE = ("430000000000", "湖南省")
PREFECTURE = ("431300000000", "娄底市")
COUNTY = ("431382000000", "涟源市")

# (3-digit township code, name). Order matters: the small scale takes the first two 镇,
# which matches the shared test cast (sunlit/conftest.py: 六亩塘镇 101, 石马山镇 102).
TOWNSHIPS: tuple[tuple[str, str], ...] = (
    ("001", "蓝田街道"),
    ("101", "六亩塘镇"),
    ("102", "石马山镇"),
    ("103", "安平镇"),
    ("104", "湄江镇"),
    ("105", "伏口镇"),
    ("106", "桥头河镇"),
    ("107", "七星街镇"),
    ("108", "杨市镇"),
    ("109", "荷塘镇"),
    ("110", "龙塘镇"),
    ("111", "白马镇"),
    ("112", "渡头塘镇"),
    ("113", "金石镇"),
    ("114", "枫坪镇"),
    ("115", "斗笠山镇"),
    ("116", "茅塘镇"),
    ("117", "水洞底镇"),
    ("201", "三甲乡"),
    ("202", "古塘乡"),
)

# A village name is two of these characters and 村: 石门村, 白竹村, 枫林村, 新塘村, 长冲村 …
VILLAGE_FIRST = "石白枫新长黄杨桃龙高青荷金莲松竹梅田双大小上东西南北中洪花樟柏桂茶杉柳棠楠"
VILLAGE_SECOND = "门竹林塘冲坪田桥湾溪岭山坡江源峰洲家井坝垅园庄铺湖丰"
COMMUNITY_NAMES = (
    "新华",
    "建设",
    "人民",
    "解放",
    "东风",
    "胜利",
    "和平",
    "光明",
    "友谊",
    "文化",
    "春园",
    "丰园",
    "桥东",
    "城西",
    "龙城",
    "金桥",
    "花园",
    "湄水",
    "西门",
    "南街",
)
ROADS = ("人民路", "解放路", "建设路", "新华路", "湄江路", "蓝田大道", "交通路", "育才路")

SURNAMES = (
    "李王张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜钟谭陆汪范金石廖贾夏付方白邹孟熊秦邱江尹段雷侯龙陶"
    "贺顾毛龚邵万严戴莫向汤易颜聂伍刘李王张陈"  # the common ones twice: commoner
)
GIVEN = "建国军华明伟强平勇志红芳丽敏秀英玉兰春海林斌杰涛波辉鹏宇娟霞燕静婷桂凤云清文德福贵山兵新东亮"
