//! Kernel-enforced resolution beneath ROOT.
//!
//! Opening uses `openat2(root, path, RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS)`:
//! the kernel refuses any resolution (through `..` or a symlink) that leaves
//! ROOT. Where `openat2` does not exist (Linux < 5.6, `ENOSYS`), the path is
//! walked one component at a time with `O_NOFOLLOW`, so no symlink is followed
//! at all.

use std::io;
use std::os::fd::{AsFd, OwnedFd};

use rustix::fs::{self, Mode, OFlags, ResolveFlags};
use rustix::io::Errno;

const OPEN_FLAGS: OFlags = OFlags::RDONLY
    .union(OFlags::CLOEXEC)
    .union(OFlags::NOCTTY)
    // never block opening a FIFO or a device; only regular files are served
    .union(OFlags::NONBLOCK);

/// `openat2(dir, path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK,
/// RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS)`, or where the kernel lacks
/// `openat2` (`ENOSYS`), a component-by-component walk with `O_NOFOLLOW`.
///
/// # References
///  - [`openat2(2)`](https://man7.org/linux/man-pages/man2/openat2.2.html)
#[doc(alias = "openat2")]
#[doc(alias = "RESOLVE_BENEATH")]
pub(crate) fn openat2_or_walk(
    dir: &OwnedFd,
    path: &[u8],
    have_openat2: &mut bool,
) -> Result<OwnedFd, Errno> {
    if *have_openat2 {
        match fs::openat2(
            dir,
            path,
            OPEN_FLAGS,
            Mode::empty(),
            ResolveFlags::BENEATH | ResolveFlags::NO_MAGICLINKS,
        ) {
            Err(Errno::NOSYS) => *have_openat2 = false,
            r => return r,
        }
    }
    walk_nofollow(dir, path)
}

/// The `openat2` fallback: `openat(dir, component, O_NOFOLLOW)` for each
/// component, refusing `..` and every symlink.
fn walk_nofollow(dir: &OwnedFd, path: &[u8]) -> Result<OwnedFd, Errno> {
    let want_dir = path.ends_with(b"/");
    let comps: Vec<&[u8]> = path
        .split(|&b| b == b'/')
        .filter(|c| !c.is_empty() && *c != b".")
        .collect();
    if comps.contains(&&b".."[..]) {
        return Err(Errno::XDEV);
    }
    let mut cur: Option<OwnedFd> = None;
    for (i, comp) in comps.iter().enumerate() {
        let last = i + 1 == comps.len();
        let mut flags = OPEN_FLAGS | OFlags::NOFOLLOW;
        if !last || want_dir {
            flags |= OFlags::DIRECTORY;
        }
        let base = cur.as_ref().map_or(dir.as_fd(), AsFd::as_fd);
        cur = Some(fs::openat(base, *comp, flags, Mode::empty())?);
    }
    match cur {
        Some(fd) => Ok(fd),
        None => fs::openat(dir, ".", OPEN_FLAGS | OFlags::DIRECTORY, Mode::empty()),
    }
}

/// Opens ROOT itself (a directory), for [`FileCache::new`].
pub(crate) fn open_root(path: &std::path::Path) -> io::Result<OwnedFd> {
    let fd = fs::open(
        path,
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )?;
    Ok(fd)
}

#[cfg(test)]
mod tests {
    use rustix::fs::FileType;

    use super::*;
    use crate::entry::read_all;

    /// A docroot with a file, a subdirectory, and symlinks inside and out,
    /// next to a file outside it. Removed on drop.
    struct Tree(std::path::PathBuf);

    impl Tree {
        fn new(tag: &str) -> Self {
            use std::os::unix::fs::symlink;
            let base =
                std::env::temp_dir().join(format!("tern-files-{}-{tag}", std::process::id()));
            let root = base.join("root");
            std::fs::create_dir_all(root.join("sub")).unwrap();
            std::fs::write(base.join("outside.txt"), b"secret").unwrap();
            std::fs::write(root.join("a.txt"), b"a").unwrap();
            std::fs::write(root.join("sub/b.txt"), b"b").unwrap();
            symlink("a.txt", root.join("link_in")).unwrap();
            symlink("../outside.txt", root.join("link_out")).unwrap();
            symlink(base.join("outside.txt"), root.join("link_abs")).unwrap();
            symlink("..", root.join("sub/up")).unwrap();
            Self(base)
        }

        fn root(&self) -> OwnedFd {
            open_root(&self.0.join("root")).unwrap()
        }
    }

    impl Drop for Tree {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn read(fd: &OwnedFd) -> Vec<u8> {
        read_all(fd, fs::fstat(fd).unwrap().st_size as u64)
            .unwrap()
            .into_vec()
    }

    /// Paths that must never open, by either route: they leave ROOT.
    const ESCAPES: &[&[u8]] = &[
        b"../outside.txt",
        b"sub/../../outside.txt",
        b"link_out",
        b"link_abs",
        b"sub/up/../outside.txt",
    ];

    #[test]
    fn the_fallback_walk_opens_plain_paths_and_refuses_every_symlink_and_dotdot() {
        let tree = Tree::new("walk");
        let root = tree.root();
        assert_eq!(read(&walk_nofollow(&root, b"a.txt").unwrap()), b"a");
        assert_eq!(read(&walk_nofollow(&root, b"sub/b.txt").unwrap()), b"b");
        assert_eq!(read(&walk_nofollow(&root, b"./sub//b.txt").unwrap()), b"b");
        let dir = walk_nofollow(&root, b"sub/").unwrap();
        assert_eq!(
            FileType::from_raw_mode(fs::fstat(&dir).unwrap().st_mode),
            FileType::Directory
        );
        assert!(walk_nofollow(&root, b"").is_ok());
        assert_eq!(walk_nofollow(&root, b"a.txt/").err(), Some(Errno::NOTDIR));
        for path in ESCAPES {
            assert!(
                walk_nofollow(&root, path).is_err(),
                "{}",
                String::from_utf8_lossy(path)
            );
        }
        // Stricter than openat2: no symlink is followed, even one inside ROOT.
        assert_eq!(walk_nofollow(&root, b"link_in").err(), Some(Errno::LOOP));
        assert!(walk_nofollow(&root, b"sub/up/a.txt").is_err());
        assert_eq!(
            walk_nofollow(&root, b"sub/../a.txt").err(),
            Some(Errno::XDEV)
        );
    }

    #[test]
    fn openat2_refuses_escapes_and_follows_symlinks_beneath_root() {
        let tree = Tree::new("openat2");
        let root = tree.root();
        let mut have_openat2 = true;
        let probe = openat2_or_walk(&root, b"a.txt", &mut have_openat2);
        assert_eq!(read(&probe.unwrap()), b"a");
        if !have_openat2 {
            // Kernel before 5.6: the walk above was the fallback, tested on its own.
            return;
        }
        for path in ESCAPES {
            let result = openat2_or_walk(&root, path, &mut have_openat2);
            assert_eq!(
                result.err(),
                Some(Errno::XDEV),
                "{}",
                String::from_utf8_lossy(path)
            );
        }
        assert_eq!(
            read(&openat2_or_walk(&root, b"link_in", &mut have_openat2).unwrap()),
            b"a"
        );
        let through_up = openat2_or_walk(&root, b"sub/up/a.txt", &mut have_openat2);
        assert_eq!(read(&through_up.unwrap()), b"a");
        assert!(have_openat2);
    }
}
