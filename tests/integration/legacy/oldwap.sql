-- The old Django service's tables, as /work/shared/LEGACY-SCHEMA.md describes them
-- (Django 5.0 defaults: BIGINT AUTO_INCREMENT ids, DATETIME(6) naive KST, LONGBLOB lists).
-- Statements are separated by a line holding only ";" for the test's loader.

CREATE TABLE user_customuser (
  id BIGINT AUTO_INCREMENT PRIMARY KEY,
  password VARCHAR(128) NOT NULL DEFAULT '',
  last_login DATETIME(6) NULL,
  is_superuser TINYINT(1) NOT NULL DEFAULT 0,
  email VARCHAR(254) NOT NULL UNIQUE,
  social_id INT NULL,
  name VARCHAR(12) NOT NULL,
  university VARCHAR(20) NOT NULL DEFAULT '부경대학교',
  club VARCHAR(20) NOT NULL DEFAULT 'WAP',
  student_num VARCHAR(12) NULL,
  position VARCHAR(15) NULL,
  `explain` VARCHAR(500) NOT NULL DEFAULT '열심히 하겠습니다!',
  image VARCHAR(200) NULL,
  is_approved TINYINT(1) NOT NULL DEFAULT 0,
  is_active TINYINT(1) NOT NULL DEFAULT 1,
  is_staff TINYINT(1) NOT NULL DEFAULT 0,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4
;
CREATE TABLE user_usertech (
  user_id BIGINT PRIMARY KEY,
  tech LONGBLOB NULL,
  CONSTRAINT fk_usertech_user FOREIGN KEY (user_id) REFERENCES user_customuser (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4
;
CREATE TABLE user_userurls (
  user_id BIGINT PRIMARY KEY,
  url LONGBLOB NULL,
  CONSTRAINT fk_userurls_user FOREIGN KEY (user_id) REFERENCES user_customuser (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4
;
CREATE TABLE team_team (
  id BIGINT AUTO_INCREMENT PRIMARY KEY,
  leader_id BIGINT NOT NULL,
  title VARCHAR(30) NOT NULL UNIQUE,
  `explain` LONGBLOB NOT NULL,
  genre VARCHAR(30) NOT NULL,
  `like` INT NOT NULL DEFAULT 0,
  version INT NOT NULL DEFAULT 0,
  `view` INT NOT NULL DEFAULT 0,
  uuid CHAR(32) NOT NULL UNIQUE,
  image VARCHAR(200) NULL,
  url LONGBLOB NULL,
  is_approved TINYINT(1) NOT NULL DEFAULT 0,
  is_accomplished TINYINT(1) NOT NULL DEFAULT 0,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  CONSTRAINT fk_team_leader FOREIGN KEY (leader_id) REFERENCES user_customuser (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4
;
CREATE TABLE team_teamtech (
  id BIGINT AUTO_INCREMENT PRIMARY KEY,
  team_id BIGINT NOT NULL,
  tech VARCHAR(15) NOT NULL,
  need_num INT NOT NULL,
  current_num INT NOT NULL DEFAULT 0,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  CONSTRAINT fk_teamtech_team FOREIGN KEY (team_id) REFERENCES team_team (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4
;
CREATE TABLE team_teamuser (
  id BIGINT AUTO_INCREMENT PRIMARY KEY,
  team_id BIGINT NOT NULL,
  user_id BIGINT NOT NULL,
  tech VARCHAR(15) NOT NULL,
  UNIQUE KEY uq_teamuser (user_id, team_id),
  CONSTRAINT fk_teamuser_team FOREIGN KEY (team_id) REFERENCES team_team (id),
  CONSTRAINT fk_teamuser_user FOREIGN KEY (user_id) REFERENCES user_customuser (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4
;
CREATE TABLE team_teamapply (
  id BIGINT AUTO_INCREMENT PRIMARY KEY,
  team_id BIGINT NOT NULL,
  user_id BIGINT NOT NULL,
  bio VARCHAR(200) NOT NULL DEFAULT '열심히 하겠습니다!',
  tech VARCHAR(15) NOT NULL,
  is_approved TINYINT(1) NOT NULL DEFAULT 0,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  UNIQUE KEY uq_teamapply (user_id, team_id, tech),
  CONSTRAINT fk_teamapply_team FOREIGN KEY (team_id) REFERENCES team_team (id),
  CONSTRAINT fk_teamapply_user FOREIGN KEY (user_id) REFERENCES user_customuser (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4
;
CREATE TABLE team_likes (
  id BIGINT AUTO_INCREMENT PRIMARY KEY,
  team_id BIGINT NOT NULL,
  user_id BIGINT NOT NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  UNIQUE KEY uq_likes (user_id, team_id),
  CONSTRAINT fk_likes_team FOREIGN KEY (team_id) REFERENCES team_team (id),
  CONSTRAINT fk_likes_user FOREIGN KEY (user_id) REFERENCES user_customuser (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4
;
CREATE TABLE socialaccount_socialaccount (
  id INT AUTO_INCREMENT PRIMARY KEY,
  provider VARCHAR(200) NOT NULL,
  uid VARCHAR(191) NOT NULL,
  last_login DATETIME(6) NOT NULL,
  date_joined DATETIME(6) NOT NULL,
  extra_data JSON NOT NULL,
  user_id BIGINT NOT NULL,
  UNIQUE KEY uq_social (provider, uid),
  CONSTRAINT fk_social_user FOREIGN KEY (user_id) REFERENCES user_customuser (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4
;
